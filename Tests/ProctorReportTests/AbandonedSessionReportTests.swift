import Foundation
import ProctorCore
import ProctorOutbox
import ProctorReport
import ProctorTestSupport
import Testing

/// A session whose monitor died: the report ends it at the last heartbeat, says so, and does not
/// vouch for the time nobody saw — before and after `proctor ship` / `proctor monitor` recovered it.
struct AbandonedSessionReportTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    /// A process that cannot exist (pid beyond the kernel's maximum).
    let deadOwner = ProcessIdentity(bootID: ProcessIdentity.current.bootID, pid: 4_194_305, startTicks: 1)

    private func abandoned(_ folder: TemporaryDirectory) throws -> Outbox {
        let outbox = try Outbox(path: folder.path("outbox.sqlite"))
        try outbox.openSession(id: "s", studentID: "st", examID: "ex", startedAt: start, owner: deadOwner)
        // One short low-severity episode, still open when the monitor died 10 minutes in.
        try outbox.upsertEpisode(
            sessionID: "s",
            episode: EpisodeRecord(
                id: UUID(), type: .lookingAway, eventType: "gaze_detected", severity: .low, startMedia: 590,
                endMedia: nil, peakConfidence: 0.5, framesSeen: 10, labels: [], state: .open))
        try outbox.heartbeat(
            sessionID: "s", media: 600, framesAnalyzed: 1_200, secondsWithFace: 595, at: start.addingTimeInterval(600))
        return outbox
    }

    @Test(arguments: [false, true])
    func theReportEndsAtTheLastHeartbeatAndIsNeverHigh(recoveredFirst: Bool) throws {
        let folder = try TemporaryDirectory()
        let outbox = try abandoned(folder)
        defer { outbox.close() }
        if recoveredFirst { #expect(try outbox.recoverAbandonedSessions().count == 1) }
        let input = try OutboxReportSource(outbox: outbox).load(sessionID: "s")
        // Generated two hours later: without the heartbeat the report would vouch for 2 h unseen.
        let report = ReportBuilder(shrinker: nil).build(input, now: start.addingTimeInterval(7_200))
        #expect(report.session.endedAt == start.addingTimeInterval(600))
        #expect(report.session.durationSeconds == 600)
        #expect(report.session.stoppedUnexpectedlyAt == start.addingTimeInterval(600))
        #expect(report.episodes.allSatisfy { !$0.isOpen && $0.end == 600 })
        #expect(report.notes?.contains { $0.contains("The monitor stopped unexpectedly at 2027-01-15 08:10:00 UTC") } == true, "\(report.notes ?? [])")
        // The score alone would be High (one 10 s low episode in 10 minutes); the level is capped.
        #expect(report.credibility.score >= 90)
        #expect(report.credibility.level == .medium)
        #expect(report.credibility.formula.last?.contains("Capped at Medium") == true)
        let page = HTMLReportRenderer(timeZone: TimeZone(identifier: "UTC") ?? .current).render(report)
        #expect(page.contains("The monitor stopped unexpectedly at"))
    }
}
