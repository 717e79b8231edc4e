import CSQLite
import Foundation
import ProctorCore
import Testing
@testable import ProctorOutbox

/// Sessions, upserts, closing and reopening, schema versions, and concurrent callers.
@Suite struct LifecycleTests {
    @Test func dataSurvivesCloseAndReopen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        let id = UUID()
        let outbox = try OutboxFixture.outbox(in: directory)
        try outbox.upsertEpisode(
            sessionID: "s1", episode: OutboxFixture.record(id: id, start: 12.5, end: 20),
            evidenceJPEG: OutboxFixture.jpeg(7), thumbnailJPEG: OutboxFixture.jpeg(8, count: 300))
        try outbox.closeSession(
            id: "s1", endedAt: OutboxFixture.sessionStart.addingTimeInterval(600), framesAnalyzed: 1_200,
            secondsWithFace: 580.5)
        outbox.close()
        outbox.close()
        #expect(throws: OutboxError.closed) { try outbox.sessions() }

        let reopened = try Outbox(path: path)
        let session = try #require(try reopened.sessions().first)
        #expect(session.id == "s1")
        #expect(session.endedAt == OutboxFixture.sessionStart.addingTimeInterval(600))
        #expect(session.framesAnalyzed == 1_200)
        #expect(session.secondsWithFace == 580.5)
        let stored = try #require(try reopened.episode(id: id))
        #expect(stored.record == OutboxFixture.record(id: id, start: 12.5, end: 20))
        #expect(stored.startedAt == OutboxFixture.sessionStart.addingTimeInterval(12.5))
        #expect(stored.endedAt == OutboxFixture.sessionStart.addingTimeInterval(20))
        #expect(stored.hasEvidence)
        let evidence = try #require(try reopened.evidence(episodeID: id))
        #expect(evidence.jpeg == OutboxFixture.jpeg(7))
        #expect(evidence.thumbnail == OutboxFixture.jpeg(8, count: 300))
        #expect(try reopened.integrityCheck() == ["ok"])
        // A closed session stays closed.
        #expect(throws: OutboxError.sessionAlreadyClosed("s1")) {
            try reopened.openSession(id: "s1", studentID: "student", examID: "exam", startedAt: Date())
        }
        reopened.close()
    }

    @Test func openSessionIsIdempotentButRejectsConflicts() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        try outbox.openSession(id: "s1", studentID: "student", examID: "exam", startedAt: Date(), configJSON: "{}")
        #expect(try outbox.sessions().count == 1)
        #expect(try outbox.session(id: "s1")?.startedAt == OutboxFixture.sessionStart)
        #expect(throws: OutboxError.self) {
            try outbox.openSession(id: "s1", studentID: "someone else", examID: "exam", startedAt: Date())
        }
        #expect(throws: OutboxError.sessionNotFound("nope")) {
            try outbox.closeSession(id: "nope", endedAt: Date(), framesAnalyzed: 0, secondsWithFace: 0)
        }
        #expect(throws: OutboxError.sessionNotFound("nope")) {
            try outbox.upsertEpisode(sessionID: "nope", episode: OutboxFixture.record())
        }
    }

    @Test func upsertsKeepEvidenceUnlessReplaced() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        let id = UUID()
        try outbox.upsertEpisode(
            sessionID: "s1", episode: OutboxFixture.record(id: id), evidenceJPEG: OutboxFixture.jpeg(1),
            thumbnailJPEG: OutboxFixture.jpeg(2))
        // Escalation without a better frame: evidence untouched.
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: id, severity: .high))
        #expect(try outbox.evidence(episodeID: id)?.jpeg == OutboxFixture.jpeg(1))
        // A better frame replaces the JPEG only.
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: id), evidenceJPEG: OutboxFixture.jpeg(3))
        let evidence = try #require(try outbox.evidence(episodeID: id))
        #expect(evidence.jpeg == OutboxFixture.jpeg(3))
        #expect(evidence.thumbnail == OutboxFixture.jpeg(2))
        #expect(try outbox.episode(id: id)?.revision == 3)
        #expect(try outbox.episodes().count == 1)
    }

    @Test func engineEpisodesRoundTrip() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        let episode = Episode(
            id: UUID(), type: .lookingAway, severity: .medium, start: 10, lastSeen: 29.5, end: 29.5,
            peakConfidence: 0.4, framesSeen: 40, labels: ["face", "person"])
        let mapping = try EventTypeMapping([.lookingAway: "gaze_detected"])
        let record = EpisodeRecord(episode, eventType: mapping.eventType(for: episode.type, severity: episode.severity))
        let stored = try outbox.upsertEpisode(sessionID: "s1", episode: record)
        #expect(stored.record.eventType == "gaze_detected")
        #expect(stored.record.state == .closed)
        #expect(stored.record.labels == ["face", "person"])
        #expect(stored.record.endMedia == 29.5)
    }

    @Test func invalidRecordsAreRejectedWithoutWriting() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        var record = OutboxFixture.record()
        record.eventType = String(repeating: "e", count: 51)
        #expect(throws: OutboxError.self) { try outbox.upsertEpisode(sessionID: "s1", episode: record) }
        record = OutboxFixture.record(start: 10, end: 5)
        #expect(throws: OutboxError.self) { try outbox.upsertEpisode(sessionID: "s1", episode: record) }
        record = OutboxFixture.record()
        record.state = .closed
        #expect(throws: OutboxError.self) { try outbox.upsertEpisode(sessionID: "s1", episode: record) }
        // The same episode id in another session is a conflict, not a silent move.
        let id = UUID()
        try outbox.openSession(id: "s2", studentID: "student", examID: "exam", startedAt: Date())
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(id: id))
        #expect(throws: OutboxError.self) { try outbox.upsertEpisode(sessionID: "s2", episode: OutboxFixture.record(id: id)) }
        #expect(try outbox.episodes().count == 1)
    }

    @Test func migrationsAreIdempotentAndNewerSchemasRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        for _ in 0..<3 {
            let outbox = try Outbox(path: path)
            outbox.close()
        }
        #expect(try userVersion(path) == Outbox.schemaVersion)
        try setUserVersion(path, 99)
        #expect(throws: OutboxError.schemaTooNew(found: 99, supported: Outbox.schemaVersion)) { try Outbox(path: path) }
    }

    @Test func unopenablePathsFailClearly() throws {
        let directory = try TemporaryDirectory()
        let blocker = directory.path("file")
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data()))
        let error = #expect(throws: OutboxError.self) { try Outbox(path: blocker + "/outbox.sqlite") }
        #expect(error?.description.hasPrefix("cannot open outbox") == true)
    }

    @Test func concurrentWritersAreSerialized() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<6 {
                group.addTask {
                    for index in 0..<15 {
                        let stored = try outbox.upsertEpisode(
                            sessionID: "s1", episode: OutboxFixture.record(start: Double(worker * 100 + index)),
                            evidenceJPEG: OutboxFixture.jpeg(UInt8(worker)))
                        try outbox.markDelivered(id: stored.id, sink: "test")
                    }
                }
            }
            try await group.waitForAll()
        }
        let episodes = try outbox.episodes()
        #expect(episodes.count == 90)
        #expect(episodes.allSatisfy { $0.delivery.state == .delivered })
        #expect(try outbox.integrityCheck() == ["ok"])
    }

    private func userVersion(_ path: String) throws -> Int {
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        try #require(sqlite3_open(path, &db) == SQLITE_OK)
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        try #require(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &statement, nil) == SQLITE_OK)
        try #require(sqlite3_step(statement) == SQLITE_ROW)
        return Int(sqlite3_column_int(statement, 0))
    }

    private func setUserVersion(_ path: String, _ version: Int) throws {
        var db: OpaquePointer?
        defer { sqlite3_close(db) }
        try #require(sqlite3_open(path, &db) == SQLITE_OK)
        try #require(sqlite3_exec(db, "PRAGMA user_version = \(version)", nil, nil, nil) == SQLITE_OK)
    }
}
