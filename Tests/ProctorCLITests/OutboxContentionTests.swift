import Foundation
import ProctorTestSupport
import Testing

/// Another process holding the outbox's lock longer than the busy timeout (a backup, `sqlite3`,
/// `proctor ship`) must not end the exam: the monitor keeps its changes in memory and writes them later.
@Suite(.requiresModels)
struct OutboxContentionTests {
    @Test func aLockedOutboxDoesNotEndTheExamAndLosesNothing() throws {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.demo(in: folder)
        let outbox = folder.path("outbox.sqlite")
        let monitor = try MonitorReplay.start(proctor, clip: clip, student: "s-lock", outbox: outbox, options: ["--realtime"])

        // Once the first episode is in, hold the write lock for 9 s (the busy timeout is 5 s).
        _ = EpisodeListing.wait(proctor, outbox: outbox, within: 40)
        let holder = try SQLiteLockHolder(database: outbox, holdFor: 9)
        defer { holder.kill() }
        #expect(holder.waitUntilReleased(within: 60) == 0, "lock holder: \(holder.command.stderr)")
        try #require(monitor.wait(seconds: 300), "the monitor did not finish its replay within 300 s")
        let stderr = monitor.stderr
        #expect(monitor.exitStatus == 0, "stderr: \(stderr.suffix(2000))")
        #expect(stderr.contains("outbox write failed; monitoring goes on"), "\(stderr.suffix(2000))")
        #expect(stderr.contains("outbox writable again"))

        // Nothing was lost: every episode the monitor logged as opened, before, during or after the lock,
        // is in the outbox, closed. (Which episodes a real-time replay opens depends on how many frames a
        // loaded machine analyses, so the log, not a fixed list, says what must be there.)
        let opened = Set(monitor.logLines.filter { $0["msg"] as? String == "episode opened" }.compactMap { ($0["episode"] as? String)?.lowercased() })
        let listed = try EpisodeListing.episodes(proctor, outbox: outbox)
        #expect(!opened.isEmpty, "\(stderr.suffix(2000))")
        #expect(Set(listed.compactMap { ($0["id"] as? String)?.lowercased() }) == opened, "\(listed)")
        #expect(listed.allSatisfy { $0["state"] as? String == "closed" })
    }
}
