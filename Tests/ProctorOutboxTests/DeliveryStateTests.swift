import Foundation
import Testing
@testable import ProctorOutbox

/// Pending -> delivered / failed, revisions, and the order the delivery module sees.
@Suite struct DeliveryStateTests {
    @Test func transientFailuresStayPendingPermanentOnesFail() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        let id = UUID()
        let fresh = try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: id))
        #expect(fresh.delivery.state == .pending)
        #expect(fresh.delivery.attempts == 0)
        #expect(fresh.revision == 1)

        let first = Date(timeIntervalSince1970: 1_800_000_100)
        try outbox.markFailed(id: id, reason: "HTTP 503", permanent: false, now: first)
        var stored = try #require(try outbox.episode(id: id))
        #expect(stored.delivery.state == .pending)
        #expect(stored.delivery.attempts == 1)
        #expect(stored.delivery.lastError == "HTTP 503")
        #expect(stored.delivery.lastAttemptAt == first)
        #expect(try outbox.pendingEpisodes(limit: 10).map(\.id) == [id])

        try outbox.markFailed(id: id, reason: "HTTP 422: bad event_type", permanent: true)
        stored = try #require(try outbox.episode(id: id))
        #expect(stored.delivery.state == .failed)
        #expect(stored.delivery.attempts == 2)
        #expect(try outbox.pendingEpisodes(limit: 10).isEmpty)
        // A later revision does not resurrect a rejected episode.
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: id, end: 20))
        #expect(try outbox.episode(id: id)?.delivery.state == .failed)
    }

    @Test func deliveredEpisodesReturnToPendingWhenTheyChange() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        let id = UUID()
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: id))
        try outbox.markDelivered(id: id, sink: "http", remoteID: "evt-42")
        var stored = try #require(try outbox.episode(id: id))
        #expect(stored.delivery.state == .delivered)
        #expect(stored.delivery.sink == "http")
        #expect(stored.delivery.remoteID == "evt-42")
        #expect(stored.delivery.deliveredRevision == 1)
        #expect(stored.delivery.attempts == 1)
        #expect(try outbox.pendingEpisodes(limit: 10).isEmpty)

        // The episode closes: revision 2 must be delivered too, keeping the remote id for an update.
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: id, end: 25))
        stored = try #require(try outbox.episode(id: id))
        #expect(stored.revision == 2)
        #expect(stored.delivery.state == .pending)
        #expect(stored.delivery.remoteID == "evt-42")
        #expect(try outbox.pendingEpisodes(limit: 10, closedOnly: true).map(\.id) == [id])

        // A delivery of revision 2 that raced with revision 3 leaves the episode pending.
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: id, end: 26))
        try outbox.markDelivered(id: id, sink: "http", revision: 2)
        stored = try #require(try outbox.episode(id: id))
        #expect(stored.delivery.state == .pending)
        #expect(stored.delivery.deliveredRevision == 2)
        try outbox.markDelivered(id: id, sink: "http", revision: 3)
        #expect(try outbox.episode(id: id)?.delivery.state == .delivered)
    }

    @Test func pendingEpisodesAreOrderedBySessionThenStart() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        try outbox.openSession(
            id: "s0", studentID: "student", examID: "exam",
            startedAt: OutboxFixture.sessionStart.addingTimeInterval(-3_600))
        let late = UUID(), early = UUID(), earlier = UUID(), open = UUID()
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: late, start: 50, end: 55))
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: early, start: 5, end: 8))
        try outbox.upsertEpisode(sessionID: "s0", episode: OutboxFixture.record(id: earlier, start: 70, end: 72))
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: open, start: 60))
        #expect(try outbox.pendingEpisodes(limit: 10).map(\.id) == [earlier, early, late, open])
        #expect(try outbox.pendingEpisodes(limit: 2).map(\.id) == [earlier, early])
        #expect(try outbox.pendingEpisodes(limit: 10, closedOnly: true).map(\.id) == [earlier, early, late])
        #expect(try outbox.pendingEpisodes(limit: 0).isEmpty)
        #expect(try outbox.episodes(sessionID: "s1").map(\.id) == [early, late, open])
    }

    @Test func unknownEpisodesAreReported() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        let id = UUID()
        #expect(throws: OutboxError.episodeNotFound(id)) { try outbox.markDelivered(id: id, sink: "http") }
        #expect(throws: OutboxError.episodeNotFound(id)) { try outbox.markFailed(id: id, reason: "x", permanent: true) }
    }
}
