import Foundation
import Testing
@testable import ProctorOutbox

/// Only delivered evidence past its retention is deleted; the episode rows stay.
@Suite struct RetentionTests {
    @Test func deletesOnlyOldDeliveredEvidence() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        let day: TimeInterval = 24 * 60 * 60
        let now = OutboxFixture.sessionStart.addingTimeInterval(40 * day)
        let old = UUID(), recent = UUID(), undelivered = UUID(), bare = UUID()
        // Ends 10 s into the session: 40 days before `now`.
        try outbox.upsertEpisode(
            sessionID: "s1", episode: OutboxFixture.record(id: old, start: 5, end: 10),
            evidenceJPEG: OutboxFixture.jpeg(1, count: 5_000), thumbnailJPEG: OutboxFixture.jpeg(2, count: 700))
        try outbox.upsertEpisode(
            sessionID: "s1", episode: OutboxFixture.record(id: undelivered, start: 6, end: 10),
            evidenceJPEG: OutboxFixture.jpeg(3))
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: bare, start: 7, end: 10))
        // Ends 30 days into the session: 10 days before `now`.
        try outbox.upsertEpisode(
            sessionID: "s1", episode: OutboxFixture.record(id: recent, start: 30 * day - 5, end: 30 * day),
            evidenceJPEG: OutboxFixture.jpeg(4))
        for id in [old, recent, bare] {
            try outbox.markDelivered(id: id, sink: "http")
        }

        let deleted = try outbox.applyRetention(now: now)
        #expect(deleted.map(\.episodeID) == [old])
        #expect(deleted.first?.bytes == 5_700)
        #expect(deleted.first?.sessionID == "s1")
        #expect(deleted.first?.episodeEndedAt == OutboxFixture.sessionStart.addingTimeInterval(10))

        #expect(try outbox.evidence(episodeID: old) == nil)
        let purged = try #require(try outbox.episode(id: old))
        #expect(!purged.hasEvidence)
        #expect(purged.evidencePurgedAt == now)
        #expect(try outbox.evidence(episodeID: recent)?.jpeg == OutboxFixture.jpeg(4))
        #expect(try outbox.evidence(episodeID: undelivered)?.jpeg == OutboxFixture.jpeg(3))
        #expect(try outbox.applyRetention(now: now).isEmpty)
        #expect(try outbox.integrityCheck() == ["ok"])

        // A shorter retention reaches the recent one too.
        #expect(try outbox.applyRetention(now: now, maxAge: 5 * day).map(\.episodeID) == [recent])
        #expect(throws: OutboxError.self) { try outbox.applyRetention(now: now, maxAge: -1) }
    }
}
