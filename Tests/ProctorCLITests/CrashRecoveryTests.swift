import Foundation
import ProctorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A monitor killed mid-exam (SIGKILL: no cleanup at all), then `proctor ship` and `proctor report`
/// as an operator would run them: the orphaned session is closed at its last heartbeat and every
/// committed episode reaches the service exactly once.
@Suite(.requiresModels)
struct CrashRecoveryTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    @Test func sigkilledMonitorIsRecoveredAndEveryEpisodeShippedExactlyOnce() throws {
        let folder = try TemporaryDirectory()
        // The demo clip (episodes that open and close), then a long absence that is still open when
        // the process dies.
        let clip = try ReplayClip.demo(in: folder)
        // Long enough (2000 s of media) that even a fast engine cannot reach its end before the kill.
        try ReplayClip.addStill("person.jpg", frames: 4000, to: clip, prefix: "frame_9")
        let outbox = folder.path("outbox.sqlite")
        // Its log is kept in a file, so a replay that ends early says why.
        let monitor = try MonitorReplay.start(proctor, clip: clip, student: "s-crash", outbox: outbox)

        // Kill once closed episodes exist and one is open.
        let listed = EpisodeListing.wait(proctor, outbox: outbox, within: 120, stopWaiting: { !monitor.process.isRunning }) { listed in
            let open = listed.filter { $0["state"] as? String == "open" }
            return listed.count >= 3 && listed.count > open.count && open.contains { $0["type"] as? String == "face_absent" }
        }
        try #require(
            monitor.process.isRunning,
            "the replay ended before the kill (status \(monitor.exitStatus.map(String.init) ?? "-")); episodes: \(listed); monitor: \(monitor.stderr.suffix(2000))")
        monitor.signal(SIGKILL)
        try #require(monitor.wait(seconds: 30), "monitor still running 30 s after SIGKILL")
        #expect(monitor.killingSignal == SIGKILL)

        let committed = try episodes(outbox)
        #expect(committed.contains { $0["state"] as? String == "open" }, "no episode was open at the kill")
        let ids = Set(committed.compactMap { $0["id"] as? String })
        #expect(ids.count == committed.count)

        // Service down: nothing can be delivered, and ship says so (69), counting the orphan's episodes.
        let service = try FakeProctoringService()
        service.goDown()
        let down = try CommandRunner.run(
            proctor,
            ["ship", "--outbox", outbox, "--api-url", service.baseURL.absoluteString, "--max-attempts", "1", "-q"])
        #expect(down.status == 69, "stdout: \(down.stdout) stderr: \(down.stderr)")
        #expect(down.stdout.contains("still pending \(committed.count)"), "\(down.stdout)")
        #expect(down.stdout.contains("1 sessions recovered"), "\(down.stdout)")

        // Every episode is closed now, at the dead monitor's last heartbeat.
        let recovered = try episodes(outbox)
        #expect(recovered.allSatisfy { $0["state"] as? String == "closed" })
        #expect(Set(recovered.compactMap { $0["id"] as? String }) == ids)

        try service.comeBack()
        let up = try CommandRunner.run(
            proctor, ["ship", "--outbox", outbox, "--api-url", service.baseURL.absoluteString, "-q"])
        #expect(up.status == 0, "stdout: \(up.stdout) stderr: \(up.stderr)")
        #expect(up.stdout.contains("delivered \(committed.count),"), "\(up.stdout)")
        // Exactly once: one event per committed episode, keyed by the episode id.
        #expect(service.events.count == committed.count)
        #expect(Set(service.events.compactMap(\.idempotencyKey)) == ids)
        #expect(try episodes(outbox).allSatisfy { $0["delivery"] as? String == "delivered" })

        let again = try CommandRunner.run(
            proctor, ["ship", "--outbox", outbox, "--api-url", service.baseURL.absoluteString, "-q"])
        #expect(again.status == 0)
        #expect(again.stdout.hasPrefix("delivered 0,"), "\(again.stdout)")
        #expect(service.events.count == committed.count)

        // The report tells the reviewer, and does not vouch for time nobody saw.
        let reportPath = folder.path("report.json")
        let report = try CommandRunner.run(proctor, ["report", "--outbox", outbox, "--format", "json", "--out", reportPath])
        #expect(report.status == 0, "\(report.stderr)")
        let page = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportPath))) as? [String: Any])
        let notes = page["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("monitor stopped unexpectedly at") }, "\(notes)")
        let credibility = page["credibility"] as? [String: Any]
        #expect(credibility?["level"] as? String != "high")
        let header = page["session"] as? [String: Any]
        #expect(header?["stoppedUnexpectedlyAt"] != nil)
    }

    @Test func aLiveMonitorsSessionIsNotRecovered() throws {
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.faceAbsent(frames: 200, in: folder)
        let outbox = folder.path("outbox.sqlite")
        let monitor = try MonitorReplay.start(
            proctor, clip: clip, student: "s-live", outbox: outbox, options: ["--realtime", "--fps", "4", "-q"])
        _ = EpisodeListing.wait(proctor, outbox: outbox, within: 45)
        let service = try FakeProctoringService()
        let ship = try CommandRunner.run(
            proctor, ["ship", "--outbox", outbox, "--api-url", service.baseURL.absoluteString, "-q"])
        // The open episode belongs to a running monitor: not recovered, not sent, not counted as left.
        #expect(ship.status == 0, "stdout: \(ship.stdout) stderr: \(ship.stderr)")
        #expect(!ship.stdout.contains("recovered"))
        #expect(ship.stdout.contains("still open in a running monitor"), "\(ship.stdout)")
        #expect(service.events.isEmpty)
        #expect(try episodes(outbox).contains { $0["state"] as? String == "open" })
        monitor.signal(SIGTERM)
        try #require(monitor.wait(seconds: 60), "monitor still running 60 s after SIGTERM")
        #expect(monitor.exitStatus == 0, "stderr: \(monitor.stderr)")
    }

    private func episodes(_ outbox: String) throws -> [[String: Any]] {
        try EpisodeListing.episodes(proctor, outbox: outbox)
    }
}

/// A malformed database URL on the command line: exit 78 (configuration), and the password appears
/// nowhere, whatever libpq says about the string.
struct DatabaseURLSecrecyTests {
    @Test(arguments: [
        ["db", "migrate", "--database-url", "postgresql://proctor:S3cret%zzPW@127.0.0.1/service"],
        ["db", "migrate", "--database-url", "postgresql://proctor:S3cretPW@[::1/service"],
        ["reanalyze", "summary", "--database-url", "postgresql://proctor:S3cret%zzPW@127.0.0.1/service"],
        [
            "report", "--database-url", "postgresql://proctor:S3cret%zzPW@127.0.0.1/service", "--media-root", "/",
            "--student", "s-1", "--out", "-",
        ],
    ])
    func aMalformedURLIsExit78WithoutTheSecret(arguments: [String]) throws {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let result = try CommandRunner.run(proctor, arguments, environment: ["PROCTOR_DATABASE_URL": ""])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(!result.stderr.contains("S3cret") && !result.stdout.contains("S3cret"), "\(result.stderr)")
        #expect(result.stderr.contains("malformed"), "\(result.stderr)")
    }
}

/// Two `proctor ship` processes on one outbox at once (a cron job overlapping a manual run): every
/// episode is POSTed once, and both runs end 0.
@Suite(.requiresModels)
struct ConcurrentShipTests {
    @Test func twoShipProcessesSendEveryEpisodeOnce() throws {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.demo(in: folder)
        let outbox = folder.path("outbox.sqlite")
        let replay = try CommandRunner.run(proctor, ["monitor", "--source", clip, "--student", "s-two", "--outbox", outbox, "-q"])
        try #require(replay.status == 0, "\(replay.stderr)")
        let episodes = try EpisodeListing.episodes(proctor, outbox: outbox)
        try #require(episodes.count >= 4)

        let service = try FakeProctoringService()
        // Slow enough that the two runs overlap for the whole drain.
        service.answerAfter(seconds: 0.3)
        let results = ResultBox()
        let threads = (0..<2).map { _ in
            Thread {
                let result = try? CommandRunner.run(
                    proctor, ["ship", "--outbox", outbox, "--api-url", service.baseURL.absoluteString, "-q"])
                results.append(result)
            }
        }
        threads.forEach { $0.start() }
        let deadline = Date().addingTimeInterval(120)
        while results.count < 2, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        let runs = results.all
        try #require(runs.count == 2)
        for run in runs { #expect(run?.status == 0, "\(run?.stdout ?? "") \(run?.stderr ?? "")") }
        #expect(service.violationCalls == episodes.count, "\(service.violationCalls) POSTs for \(episodes.count) episodes")
        #expect(Set(service.events.compactMap(\.idempotencyKey)) == Set(episodes.compactMap { $0["id"] as? String }))
    }
}

/// Results handed back from runner threads.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [CommandResult?] = []

    func append(_ result: CommandResult?) {
        lock.lock()
        results.append(result)
        lock.unlock()
    }

    var count: Int { all.count }

    var all: [CommandResult?] {
        lock.lock()
        defer { lock.unlock() }
        return results
    }
}
