import Foundation
import ProctorOutbox
import ProctorTestSupport
import Testing

/// A replayed recording is recorded as one and reported for the time it covers, not the wall time it took.
@Suite(.requiresModels)
struct ReplayReportTests {
    @Test func replayIsRecordedAndReportedAtItsMediaLength() throws {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let folder = try TemporaryDirectory()
        // 12 images at 0.5 fps: frames at 0, 2, ..., 22 s of media time, replayed in a few seconds.
        let clip = try ReplayClip.still("keliamoniz1.jpg", frames: 12, in: folder)
        let outbox = folder.path("outbox.sqlite")
        let monitor = try CommandRunner.run(
            proctor,
            ["monitor", "--source", clip, "--fps", "0.5", "--student", "s-1", "--outbox", outbox, "--models",
             TestAssets.modelsDirectory.path])
        try #require(monitor.status == 0, "stderr: \(monitor.stderr)")
        let store = try Outbox(path: outbox)
        let session = try #require(try store.sessions().first)
        store.close()
        let config = try #require(session.configJSON.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let source = try #require(config["source"] as? [String: Any], "\(session.configJSON ?? "")")
        #expect(source["kind"] as? String == "replay" && source["name"] as? String == clip)
        #expect(session.heartbeatMedia == 22, "the last frame's media time is kept at the end")

        let out = folder.path("report.json")
        let report = try CommandRunner.run(proctor, ["report", "--outbox", outbox, "--format", "json", "--out", out])
        try #require(report.status == 0, "stderr: \(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let header = try #require(json["session"] as? [String: Any])
        #expect(header["source"] as? String == "replay")
        #expect(header["durationSeconds"] as? Double == 22, "\(header)")
    }
}
