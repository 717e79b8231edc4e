import Foundation
import ProctorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The monitor's ordered teardown and its deadlines, with the real binary and real signals: capture
/// stops, the episodes and the session are closed, then one final delivery pass with a deadline; a
/// second signal skips (or cuts short) that pass but still closes the session.
@Suite(.requiresModels)
struct MonitorShutdownTests {
    let proctor: String
    let folder: TemporaryDirectory
    let outbox: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        folder = try TemporaryDirectory()
        outbox = folder.path("outbox.sqlite")
    }

    /// A monitor replaying 100 s of a photo without a face at its real pace, delivering to `service`
    /// (with a request timeout far beyond every deadline), started and waited for until its first
    /// episode is open.
    func startMonitor(delivering service: FakeProctoringService) throws -> RunningCommand {
        let clip = try ReplayClip.faceAbsent(frames: 400, in: folder)
        let run = try MonitorReplay.start(
            proctor, clip: clip, student: "s-9", outbox: outbox,
            options: ["--realtime", "--fps", "4", "--api-url", service.baseURL.absoluteString, "--timeout", "60"])
        try #require(run.waitForLog("episode opened", within: 60), "no episode opened within 60 s: \(run.stderr)")
        return run
    }

    func episodes() throws -> [[String: Any]] {
        try EpisodeListing.episodes(proctor, outbox: outbox)
    }

    /// The log's teardown lines must come in this order, each present.
    func expectOrder(_ run: RunningCommand, _ messages: [(String, prefix: Bool)]) {
        let positions = messages.map { run.logIndex($0.0, prefix: $0.prefix) }
        #expect(positions.allSatisfy { $0 != nil }, "missing teardown lines \(messages.map(\.0)) -> \(positions): \(run.stderr)")
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted(), "teardown out of order \(messages.map(\.0)) -> \(positions): \(run.stderr)")
    }

    @Test func sigtermStopsCaptureThenClosesTheSessionThenDeliversIt() throws {
        let service = try FakeProctoringService()
        let run = try startMonitor(delivering: service)
        run.signal(SIGTERM)
        try #require(run.wait(seconds: 10), "monitor still running 10 s after SIGTERM")
        #expect(run.exitStatus == 0, "stderr: \(run.stderr)")
        expectOrder(run, [("stopping", false), ("capture stopped", false), ("session closed", false), ("delivery", false)])
        #expect(run.logLines.first { $0["msg"] as? String == "stopping" }?["signal"] as? String == "SIGTERM")
        #expect(run.logLines.first { $0["msg"] as? String == "delivery" }?["delivered"] as? Int == 1, "\(run.stderr)")
        let listed = try episodes()
        #expect(listed.count == 1 && listed.allSatisfy { $0["state"] as? String == "closed" && $0["delivery"] as? String == "delivered" })
        #expect(service.events.count == 1)
    }

    @Test func sighupStopsLikeSigtermAndAServiceThatNeverAnswersCannotHoldTheExit() throws {
        let service = try FakeProctoringService()
        service.answerAfter(seconds: 60)
        let run = try startMonitor(delivering: service)
        run.signal(SIGHUP)
        try #require(run.wait(seconds: 10), "monitor still running 10 s after SIGHUP")
        #expect(run.killingSignal == nil && run.exitStatus == 0, "stderr: \(run.stderr)")
        // The final pass's own deadline (5 s) ended it, not the 10 s bound on the whole stop.
        expectOrder(run, [("stopping", false), ("capture stopped", false), ("session closed", false), ("final delivery pass", true)])
        let cut = run.logLines.first { ($0["msg"] as? String)?.hasPrefix("final delivery pass") == true }
        #expect((cut?["msg"] as? String)?.contains("5 s") == true, "\(run.stderr)")
        #expect(run.logIndex("delivery") == nil)
        #expect(run.logIndex("still running", prefix: true) == nil)
        let listed = try episodes()
        #expect(listed.count == 1 && listed.first?["state"] as? String == "closed", "\(listed)")
        #expect(listed.first?["delivery"] as? String != "delivered", "\(listed)")
    }

    @Test func aSecondSigintHurriesButTheSessionIsStillClosed() throws {
        let service = try FakeProctoringService()
        service.answerAfter(seconds: 60)
        let run = try startMonitor(delivering: service)
        run.signal(SIGINT)
        // The session is closed and the final pass is waiting on a service that does not answer.
        try #require(run.waitForLog("session closed", within: 10), "no 'session closed' within 10 s: \(run.stderr)")
        let second = Date()
        run.signal(SIGINT)
        try #require(run.wait(seconds: 10), "monitor still running 10 s after the second SIGINT")
        let took = Date().timeIntervalSince(second)
        #expect(run.killingSignal == nil && run.exitStatus == 128 + SIGINT, "stderr: \(run.stderr)")
        // Sooner than the final pass's own 5 s deadline: the second signal ended it.
        #expect(took < 4, "took \(took) s after the second SIGINT")
        let hurried = run.logLines.first { ($0["msg"] as? String)?.hasPrefix("final delivery pass") == true }
        #expect((hurried?["msg"] as? String)?.contains("second stop signal") == true, "\(run.stderr)")
        expectOrder(run, [("stopping", false), ("capture stopped", false), ("session closed", false), ("second stop signal: hurrying", false)])
        #expect(run.logIndex("delivery") == nil)
        let listed = try episodes()
        #expect(listed.count == 1 && listed.first?["state"] as? String == "closed", "\(listed)")
    }
}
