import Foundation
import ProctorOutbox
import ProctorReport
import ProctorTestSupport
import Testing

/// A session in which no frame was analysed (an engine that failed on every frame) has no episodes
/// because nothing was looked at: its report must not read as a clean exam.
struct UnseenSessionReportTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func report(framesAnalyzed: Int) throws -> SessionReport {
        let folder = try TemporaryDirectory()
        let outbox = try Outbox(path: folder.path("outbox.sqlite"))
        defer { outbox.close() }
        try outbox.openSession(id: "s", studentID: "st", examID: "ex", startedAt: start)
        try outbox.closeSession(id: "s", endedAt: start.addingTimeInterval(5), framesAnalyzed: framesAnalyzed, secondsWithFace: 0)
        let input = try OutboxReportSource(outbox: outbox).load(sessionID: "s")
        return ReportBuilder(shrinker: nil).build(input, now: start.addingTimeInterval(60))
    }

    @Test func noAnalysedFrameIsLowAndSaysWhy() throws {
        let unseen = try report(framesAnalyzed: 0)
        #expect(unseen.credibility.level == .low)
        #expect(unseen.credibility.formula.last == "Set to Low: no frame was analysed, so none of the exam was seen.")
        #expect(unseen.notes?.contains { $0.hasPrefix("No frame of this session was analysed") } == true, "\(unseen.notes ?? [])")
        let page = HTMLReportRenderer(timeZone: TimeZone(identifier: "UTC") ?? .current).render(unseen)
        #expect(page.contains("No frame of this session was analysed"))
        // The same session with its frames analysed and nothing found stays High.
        let seen = try report(framesAnalyzed: 10)
        #expect(seen.credibility.level == .high && seen.notes == nil)
    }
}

/// Times a hand-edited outbox may hold: shown clamped, never a trap.
struct AbsurdTimesTests {
    @Test func hugeNegativeAndNaNTimesAreClamped() {
        #expect(ReportText.clock(1e308) == ReportText.clock(3_155_760_000))
        #expect(ReportText.clock(-1e308) == "0:00:00" && ReportText.clock(.nan) == "0:00:00")
        #expect(ReportText.duration(.infinity) == ReportText.duration(3_155_760_000))
    }
}
