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
        let clip = folder.path("clip")
        try FileManager.default.createDirectory(atPath: clip, withIntermediateDirectories: true)
        try DemoClip.make(in: clip)
        let outbox = folder.path("outbox.sqlite")
        let log = folder.path("monitor.log")
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let monitor = Process()
        monitor.executableURL = URL(fileURLWithPath: proctor)
        monitor.arguments = ["monitor", "--source", clip, "--student", "s-lock", "--outbox", outbox, "--realtime"]
        monitor.standardOutput = FileHandle.nullDevice
        monitor.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try monitor.run()
        defer { if monitor.isRunning { monitor.terminate() } }

        // Once the first episode is in, hold the write lock for 9 s (the busy timeout is 5 s).
        let deadline = Date().addingTimeInterval(40)
        while Date() < deadline, try episodes(proctor, outbox).isEmpty { Thread.sleep(forTimeInterval: 0.2) }
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import sqlite3, sys, time\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                + "c.execute('BEGIN IMMEDIATE')\ntime.sleep(9)\nc.execute('COMMIT')\n",
            outbox,
        ]
        try holder.run()
        holder.waitUntilExit()
        #expect(holder.terminationStatus == 0)
        monitor.waitUntilExit()
        let stderr = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(monitor.terminationStatus == 0, "stderr: \(stderr.suffix(2000))")
        #expect(stderr.contains("outbox write failed; monitoring goes on"), "\(stderr.suffix(2000))")
        #expect(stderr.contains("outbox writable again"))

        // Nothing was lost: every episode the monitor logged as opened, before, during or after the lock,
        // is in the outbox, closed. (Which episodes a real-time replay opens depends on how many frames a
        // loaded machine analyses, so the log, not a fixed list, says what must be there.)
        let records = stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let opened = Set(records.filter { $0["msg"] as? String == "episode opened" }.compactMap { ($0["episode"] as? String)?.lowercased() })
        let listed = try episodes(proctor, outbox)
        #expect(!opened.isEmpty, "\(stderr.suffix(2000))")
        #expect(Set(listed.compactMap { ($0["id"] as? String)?.lowercased() }) == opened, "\(listed)")
        #expect(listed.allSatisfy { $0["state"] as? String == "closed" })
    }

    private func episodes(_ proctor: String, _ outbox: String) throws -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: outbox) else { return [] }
        let result = try CommandRunner.run(proctor, ["episodes", "--outbox", outbox, "--format", "json"])
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]) ?? []
    }
}
