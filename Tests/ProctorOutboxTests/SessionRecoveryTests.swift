import CSQLite
import Foundation
import ProctorCore
import Testing

@testable import ProctorOutbox

/// Sessions whose monitor died are closed at their last heartbeat; live ones are left alone; old
/// outboxes are upgraded in place.
@Suite struct SessionRecoveryTests {
    /// A process that cannot exist: pid beyond the kernel's maximum.
    private let deadOwner = ProcessIdentity(bootID: ProcessIdentity.current.bootID, pid: 4_194_305, startTicks: 1)

    @Test func aSessionWhoseMonitorDiedEndsAtItsLastHeartbeat() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let start = OutboxFixture.sessionStart
        try outbox.openSession(id: "dead", studentID: "st", examID: "ex", startedAt: start, owner: deadOwner)
        let open = OutboxFixture.record(type: .faceAbsent, start: 30, end: nil, labels: [])
        let closed = OutboxFixture.record(start: 5, end: 9)
        try outbox.upsertEpisode(sessionID: "dead", episode: open)
        try outbox.upsertEpisode(sessionID: "dead", episode: closed)
        let beat = start.addingTimeInterval(42.5)
        try outbox.heartbeat(sessionID: "dead", media: 42, framesAnalyzed: 84, secondsWithFace: 30, at: beat)

        let recovered = try outbox.recoverAbandonedSessions(now: beat.addingTimeInterval(3_600))
        #expect(recovered == [RecoveredSession(sessionID: "dead", stoppedAt: beat, closedEpisodes: 1)])
        let session = try #require(try outbox.session(id: "dead"))
        #expect(session.endedAt == beat)
        #expect(session.endedAbnormally)
        #expect(session.framesAnalyzed == 84)
        let episode = try #require(try outbox.episode(id: open.id))
        #expect(episode.record.state == .closed)
        #expect(episode.record.endMedia == 42)
        #expect(episode.endedAt == start.addingTimeInterval(42))
        #expect(episode.delivery.state == .pending)
        // Closed episodes keep their own end; a second recovery finds nothing.
        #expect(try outbox.episode(id: closed.id)?.record.endMedia == 9)
        #expect(try outbox.recoverAbandonedSessions().isEmpty)
        #expect(try outbox.pendingEpisodes(limit: 10, closedOnly: true).count == 2)
    }

    @Test func aLiveMonitorsSessionIsLeftAlone() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try outbox.openSession(id: "live", studentID: "st", examID: "ex", startedAt: Date(), owner: .current)
        try outbox.upsertEpisode(sessionID: "live", episode: OutboxFixture.record(end: nil))
        #expect(try outbox.recoverAbandonedSessions(now: Date().addingTimeInterval(86_400)).isEmpty)
        #expect(try outbox.session(id: "live")?.isOpen == true)
        #expect(ProcessIdentity.current.isAlive)
        #expect(!deadOwner.isAlive)
        #expect(ProcessIdentity(token: ProcessIdentity.current.description) == .current)
    }

    @Test func aVersion1OutboxIsUpgradedAndItsOwnerlessSessionsRecoveredWhenIdle() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        // An outbox as the previous release left it, with a session that was never closed.
        do {
            let v1 = try SQLiteConnection(path: path)
            try v1.execute("PRAGMA journal_mode = WAL")
            for statement in OutboxSchema.migrations[0].statements { try v1.execute(statement) }
            try v1.execute("PRAGMA user_version = 1")
            try v1.execute(
                """
                INSERT INTO sessions (id, student_id, exam_id, started_at, updated_at) VALUES ('old', 's', 'e', 1000, 1100);
                INSERT INTO episodes (id, session_id, type, event_type, severity, start_media, started_at,
                    peak_confidence, frames_seen, labels_json, state, updated_at)
                VALUES ('\(UUID().uuidString.lowercased())', 'old', 'phone_detected', 'phone_detected', 'high', 60, 1060,
                    0.9, 3, '["cell phone"]', 'open', 1100);
                """)
            v1.close()
        }
        let outbox = try Outbox(path: path)
        #expect(Outbox.schemaVersion == 2)
        let session = try #require(try outbox.session(id: "old"))
        #expect(session.owner == nil && !session.endedAbnormally && session.isOpen)
        // No owner recorded: abandoned only after ten idle minutes.
        #expect(try outbox.recoverAbandonedSessions(now: Date(timeIntervalSince1970: 1_300)).isEmpty)
        let recovered = try outbox.recoverAbandonedSessions(now: Date(timeIntervalSince1970: 1_800))
        #expect(recovered.map(\.sessionID) == ["old"])
        #expect(recovered.first?.stoppedAt == Date(timeIntervalSince1970: 1_060))
        #expect(try outbox.pendingEpisodes(limit: 5, closedOnly: true).count == 1)
    }
}
