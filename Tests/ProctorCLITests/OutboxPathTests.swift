import Foundation
import ProctorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--outbox` as operators (and attackers) spell it: a bare file name, a file that is not an outbox.
@Suite(.requiresModels)
struct OutboxPathTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    @Test func aBareFileNameWorksForTheMonitorAndTheListing() throws {
        let folder = try TemporaryDirectory()
        _ = try ReplayClip.faceAbsent(frames: 12, in: folder)
        let monitor = try RunningCommand(
            proctor, ["monitor", "--source", "clip", "--student", "s-1", "--outbox", "x.db", "--fps", "2"], currentDirectory: folder.url.path)
        try #require(monitor.wait(seconds: 120), "monitor did not finish")
        #expect(monitor.exitStatus == 0, "stderr: \(monitor.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.path("x.db")))
        let episodes = try RunningCommand(proctor, ["episodes", "--outbox", "x.db", "--format", "json"], currentDirectory: folder.url.path)
        try #require(episodes.wait(seconds: 60))
        #expect(episodes.exitStatus == 0, "stderr: \(episodes.stderr)")
        let listed = try JSONSerialization.jsonObject(with: Data(episodes.stdout.utf8)) as? [[String: Any]]
        #expect(listed?.count == 1)
    }

    @Test func everyCommandRefusesAFileThatIsNotAnOutboxWithoutTouchingIt() throws {
        let folder = try TemporaryDirectory()
        let victim = folder.path("victim.txt")
        try Data("my notes\n".utf8).write(to: URL(fileURLWithPath: victim))
        #expect(chmod(victim, 0o644) == 0)
        let link = folder.path("link.sqlite")
        #expect(symlink(victim, link) == 0)
        for path in [victim, link] {
            for arguments in [
                ["episodes", "--outbox", path], ["report", "--outbox", path, "--out", folder.path("r.html")],
                ["ship", "--outbox", path, "--api-url", "http://127.0.0.1:9/"],
                ["monitor", "--source", TestAssets.photosDirectory.path, "--student", "s", "--outbox", path],
            ] {
                let result = try CommandRunner.run(proctor, arguments)
                #expect(result.status != 0, "\(arguments)")
                let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
                #expect(errors.count == 1 && errors.first?.contains("is not a proctor outbox") == true, "\(arguments): \(result.stderr)")
                // The path once, as every command says it.
                #expect(errors.first?.components(separatedBy: path).count == 2, "\(arguments): \(result.stderr)")
            }
        }
        var info = stat()
        #expect(stat(victim, &info) == 0 && info.st_mode & 0o777 == 0o644)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "my notes\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.contains("-journal") || $0.contains("-wal") || $0.contains("-shm") }
        #expect(leftovers.isEmpty)
    }

    /// `episodes` and `report` on an outbox its reader may not write (file 0400, directory 0500): run as
    /// an unprivileged user, since root ignores file modes.
    @Test func listingWorksOnAReadOnlyOutbox() throws {
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.faceAbsent(frames: 12, in: folder)
        let store = folder.path("ro")
        let outbox = store + "/outbox.sqlite"
        let monitor = try CommandRunner.run(proctor, ["monitor", "--source", clip, "--student", "s-1", "--outbox", outbox, "-q"])
        try #require(monitor.status == 0, "stderr: \(monitor.stderr)")
        var prefix: [String] = []
        if geteuid() == 0 {
            let nobody = try #require(getpwnam("nobody"), "no user nobody to drop privileges to")
            #expect(chown(store, nobody.pointee.pw_uid, nobody.pointee.pw_gid) == 0 && chown(outbox, nobody.pointee.pw_uid, nobody.pointee.pw_gid) == 0)
            #expect(chmod(folder.url.path, 0o755) == 0)
            prefix = ["/usr/bin/setpriv", "--reuid=\(nobody.pointee.pw_uid)", "--regid=\(nobody.pointee.pw_gid)", "--clear-groups"]
        }
        #expect(chmod(outbox, 0o400) == 0 && chmod(store, 0o500) == 0)
        defer { chmod(store, 0o700) }
        let before = try FileManager.default.contentsOfDirectory(atPath: store)
        let command = prefix + [proctor, "episodes", "--outbox", outbox, "--format", "json"]
        let listing = try CommandRunner.run(command[0], Array(command.dropFirst()))
        #expect(listing.status == 0, "stderr: \(listing.stderr)")
        let listed = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [[String: Any]]
        #expect(listed?.count == 1)
        let report = prefix + [proctor, "report", "--outbox", outbox, "--out", "-", "--format", "json"]
        let reported = try CommandRunner.run(report[0], Array(report.dropFirst()))
        #expect(reported.status == 0, "stderr: \(reported.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: store) == before)
    }
}
