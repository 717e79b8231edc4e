import Foundation
import ProctorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `proctor monitor` and `proctor episodes` as an operator runs them.
@Suite(.requiresModels)
struct MonitorCommandTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    @Test func sigtermClosesOpenEpisodesAndTheSession() throws {
        let folder = try TemporaryDirectory()
        // A long absence: the face_absent episode is still open when the signal arrives.
        let clip = try ReplayClip.faceAbsent(frames: 200, in: folder)
        let outbox = folder.path("outbox.sqlite")
        let monitor = try MonitorReplay.start(
            proctor, clip: clip, student: "s-1", outbox: outbox, options: ["--realtime", "--fps", "4", "-q"])
        // Wait until the episode has opened (after 3 s of media time at real pace), then stop.
        let listed = EpisodeListing.wait(proctor, outbox: outbox, within: 45)
        try #require(!listed.isEmpty, "no episode opened within 45 s: \(monitor.stderr)")
        #expect(listed.first?["state"] as? String == "open")
        monitor.signal(SIGTERM)
        try #require(monitor.wait(seconds: 60), "monitor still running 60 s after SIGTERM")
        #expect(monitor.exitStatus == 0, "stderr: \(monitor.stderr)")

        let episodes = try EpisodeListing.episodes(proctor, outbox: outbox)
        #expect(episodes.count == 1)
        #expect(episodes.first?["type"] as? String == "face_absent")
        #expect(episodes.first?["state"] as? String == "closed")
        #expect(episodes.first?["hasEvidence"] as? Bool == true)
    }

    @Test func missingCameraIsAOneLineErrorWithExit66() throws {
        let folder = try TemporaryDirectory()
        let result = try CommandRunner.run(
            proctor, ["monitor", "--camera", "/dev/video-does-not-exist", "--student", "s-1", "--outbox", folder.path("o.sqlite")])
        #expect(result.status == 66)
        #expect(result.stderr.contains("error:") && result.stderr.contains("/dev/video-does-not-exist"))
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1)
    }

    @Test func usageErrors() throws {
        #expect(try CommandRunner.run(proctor, ["monitor", "--student", "s"]).status == 64)
        #expect(try CommandRunner.run(proctor, ["monitor", "--source", "x", "--camera", "/dev/video0", "--student", "s"]).status == 64)
        #expect(try CommandRunner.run(proctor, ["monitor", "--source", "x", "--student", "s", "--size", "big"]).status == 64)
    }
}

/// `proctor monitor` with a sink: episodes reach the service while (and right after) it runs.
@Suite(.requiresModels)
struct MonitorDeliveryTests {
    @Test func replayDeliversEveryEpisodeToTheAPI() throws {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let service = try FakeProctoringService()
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.demo(in: folder)
        let outbox = folder.path("outbox.sqlite")
        let result = try CommandRunner.run(
            proctor,
            ["monitor", "--source", clip, "--student", "s-77", "--outbox", outbox, "--api-url", service.baseURL.absoluteString, "-q"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let episodes = try EpisodeListing.episodes(proctor, outbox: outbox)
        #expect(episodes.count >= 4)
        #expect(episodes.allSatisfy { $0["delivery"] as? String == "delivered" })
        // One service event per episode, for the right student, with the evidence image attached.
        #expect(service.events.count == episodes.count)
        #expect(service.events.allSatisfy { $0.studentID == "s-77" && ($0.image?.count ?? 0) > 1000 })
        // In the service's own vocabulary (ServiceVocabulary), so its report page counts every
        // high-severity episode: phones as object_detected + "cell phone", several faces as
        // multiple_faces_detected.
        let types = Set(service.events.map(\.eventType))
        #expect(types.isSuperset(of: ["object_detected", "multiple_faces_detected"]), "\(types)")
        #expect(service.events.contains { $0.eventType == "object_detected" && $0.detectedObjects.contains("cell phone") })
        let high = episodes.filter { $0["severity"] as? String == "high" }
        #expect(!high.isEmpty)
        let counted = high.filter { FakeProctoringService.reportPageCountedTypes.contains($0["eventType"] as? String ?? "") }
        #expect(counted.count == high.count, "the report page misses \(high.count - counted.count) high-severity episodes")
        #expect(service.reportPageCount(student: "s-77") >= high.count)
    }
}
