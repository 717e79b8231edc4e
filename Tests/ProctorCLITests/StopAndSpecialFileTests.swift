import Foundation
import ProctorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Never hang, never die silently: FIFOs and other special files, SIGHUP, closed pipes, full disks —
/// the real binary, real signals, real FIFOs.
@Suite(.requiresModels)
struct StopAndSpecialFileTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    func makeFIFO(_ path: String) throws {
        try #require(mkfifo(path, 0o644) == 0, "mkfifo \(path): \(String(cString: strerror(errno)))")
    }

    func episodes(_ outbox: String) throws -> [[String: Any]] {
        try EpisodeListing.episodes(proctor, outbox: outbox)
    }

    // MARK: Item 4: special files never block

    @Test func analyzeRefusesAFIFOWithoutBlocking() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: TestAssets.photo("bus.jpg"), toPath: folder.path("a.jpg"))
        try makeFIFO(folder.path("b-trap.jpg"))
        let run = try RunningCommand(proctor, ["analyze", "--format", "jsonl", "--jobs", "2", folder.url.path, folder.path("b-trap.jpg")])
        let ended = run.wait(seconds: 120)
        try #require(ended, "analyze blocked on a FIFO")
        #expect(run.exitStatus == 1, "stderr: \(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let errors = lines.filter { $0.contains("b-trap.jpg") && $0.contains("not a regular file (a FIFO)") }
        #expect(errors.count == 2, "stdout: \(run.stdout)")
        #expect(lines.contains { $0.contains("a.jpg") && !$0.contains("error") })
    }

    @Test func monitorSkipsAFIFOInItsSourceDirectoryAndRefusesAFIFOSource() throws {
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.faceAbsent(frames: 16, in: folder)
        try makeFIFO((clip as NSString).appendingPathComponent("f0000-trap.jpg"))  // first in name order
        let outbox = folder.path("outbox.sqlite")
        let run = try MonitorReplay.start(proctor, clip: clip, student: "s-1", outbox: outbox, options: ["--fps", "2"])
        let ended = run.wait(seconds: 120)
        try #require(ended, "monitor blocked on a FIFO in its source directory")
        #expect(run.exitStatus == 0, "stderr: \(run.stderr)")
        let listed = try episodes(outbox)
        #expect(listed.count == 1 && listed.allSatisfy { $0["state"] as? String == "closed" })

        let video = folder.path("video.mp4")
        try makeFIFO(video)
        let direct = try MonitorReplay.start(proctor, clip: video, student: "s-1", outbox: outbox)
        let refused = direct.wait(seconds: 60)
        try #require(refused, "monitor blocked on a FIFO source")
        #expect(direct.exitStatus == 66)
        #expect(direct.stderr.contains("not a regular file"), "stderr: \(direct.stderr)")
    }

    // MARK: Item 2: SIGHUP and SIGPIPE

    @Test func sighupClosesTheSessionLikeSigterm() throws {
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.faceAbsent(frames: 200, in: folder)
        let outbox = folder.path("outbox.sqlite")
        let run = try MonitorReplay.start(proctor, clip: clip, student: "s-1", outbox: outbox, options: ["--realtime", "--fps", "4", "-q"])
        let opened = EpisodeListing.wait(proctor, outbox: outbox, within: 45, until: { $0.first?["state"] as? String == "open" })
        try #require(opened.first?["state"] as? String == "open", "no episode opened within 45 s: \(run.stderr)")
        let sent = Date()
        run.signal(SIGHUP)
        let ended = run.wait(seconds: 10)
        try #require(ended, "monitor still running 10 s after SIGHUP")
        #expect(Date().timeIntervalSince(sent) < 10)
        #expect(run.killingSignal == nil, "killed by signal \(run.killingSignal ?? 0) without cleanup")
        #expect(run.exitStatus == 0)
        let listed = try episodes(outbox)
        #expect(listed.count == 1 && listed.first?["state"] as? String == "closed")
    }

    @Test func aClosedStderrDoesNotKillTheMonitor() throws {
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.faceAbsent(frames: 24, in: folder)
        let outbox = folder.path("outbox.sqlite")
        // Logs at info level: every episode and the summary write to the dead pipe.
        let run = try MonitorReplay.start(
            proctor, clip: clip, student: "s-1", outbox: outbox, options: ["--fps", "4", "--log-level", "info"], stderr: .pipe)
        try run.stderrPipe?.fileHandleForReading.close()
        let ended = run.wait(seconds: 120)
        try #require(ended, "monitor did not finish a 6 s replay")
        #expect(run.killingSignal == nil, "killed by signal \(run.killingSignal ?? 0)")
        #expect(run.exitStatus == 0)
        let listed = try episodes(outbox)
        #expect(listed.count == 1 && listed.first?["state"] as? String == "closed")
    }

    @Test func analyzeIntoAClosedPipeIsAOneLineError() throws {
        let run = try RunningCommand(proctor, ["analyze", "--format", "jsonl", TestAssets.photo("bus.jpg")], stdout: .pipe)
        try run.stdoutPipe?.fileHandleForReading.close()
        let ended = run.wait(seconds: 120)
        try #require(ended)
        #expect(run.killingSignal == nil, "killed by signal \(run.killingSignal ?? 0)")
        #expect(run.exitStatus == 74)
        let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors == ["error: cannot write the output: Broken pipe"], "stderr: \(run.stderr)")
    }

    // MARK: Item 14: a full disk

    @Test func analyzeIntoAFullDiskIsAOneLineError() throws {
        let run = try RunningCommand(proctor, ["analyze", "--format", "jsonl", TestAssets.photo("bus.jpg")], stdout: .path("/dev/full"))
        let ended = run.wait(seconds: 120)
        try #require(ended)
        #expect(run.killingSignal == nil, "killed by signal \(run.killingSignal ?? 0)")
        #expect(run.exitStatus == 74)
        let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors == ["error: cannot write the output: No space left on device"], "stderr: \(run.stderr)")
    }
}
