import Foundation
import ProctorAgent
import ProctorCapture
import ProctorCore
import ProctorImaging
import ProctorOutbox
import ProctorTestSupport
import ProctorVision
import Testing

/// The whole agent loop on a replayed clip: real capture source, real models, real outbox.
@Suite(.requiresModels)
struct MonitorSessionTests {
    @Test func demoClipProducesTheExpectedEpisodes() async throws {
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.demo(in: folder)
        let outbox = try Outbox(path: folder.path("outbox.sqlite"))
        let settings = MonitorSettings()
        let session = try MonitorSession(
            identity: .init(studentID: "s-42", examID: "midterm"), settings: settings,
            pipeline: try TestAssets.factory(configuration: settings.vision).makePipeline(), outbox: outbox, live: false)
        try session.start()
        let sampler = try FrameSampler(source: ImageDirectorySource(directory: clip, fps: 2), options: .init(fps: 2))
        for await event in sampler.events { try session.handle(event) }
        try session.finish()

        let episodes = try outbox.episodes(sessionID: session.identity.sessionID)
        let byType = Dictionary(grouping: episodes, by: \.record.type)
        // Absent 5.0-10.0 s; two faces 14.0-18.0 s; phone and head turned 22.0-27.0 s.
        let absent = try #require(byType[.faceAbsent]?.first)
        #expect(absent.record.startMedia == 5.0 && absent.record.endMedia == 9.5)
        let multiple = try #require(byType[.multipleFaces]?.first)
        #expect(multiple.record.startMedia == 14.0 && multiple.record.endMedia == 17.5)
        let phone = try #require(byType[.phoneDetected]?.first)
        #expect(phone.record.startMedia == 22.0 && phone.record.labels.contains("cell phone"))
        #expect(byType[.cameraBlocked] == nil && byType[.cameraLost] == nil)
        #expect(episodes.allSatisfy { $0.record.state == .closed && $0.delivery.state == .pending })

        // Evidence: a full JPEG and an annotated thumbnail for every episode.
        for episode in episodes {
            let evidence = try #require(try outbox.evidence(episodeID: episode.id))
            let jpeg = try #require(evidence.jpeg)
            let thumbnail = try #require(evidence.thumbnail)
            #expect(jpeg.starts(with: [0xFF, 0xD8]) && thumbnail.starts(with: [0xFF, 0xD8]))
            let image = try Image.decode([UInt8](thumbnail))
            #expect(max(image.width, image.height) <= settings.thumbnailSide)
        }
        let record = try #require(try outbox.session(id: session.identity.sessionID))
        #expect(record.framesAnalyzed == 60 && record.endedAt != nil)
        // A face is visible in 50 of the 60 frames (all but person.jpg; 0.5 s each), less the first frame's
        // interval, which has no predecessor.
        #expect(abs((record.secondsWithFace ?? 0) - 24.5) < 0.01)
    }

    @Test func settingsFileEnvironmentAndValidation() throws {
        let folder = try TemporaryDirectory()
        let path = try folder.write("settings.json", Array(#"{"fps": 5, "rules": {"lookingAway": {"openAfter": 6, "closeAfter": 2, "severity": "low"}}}"#.utf8))
        var settings = try MonitorSettings.load(path: path)
        #expect(settings.fps == 5 && settings.rules.lookingAway.openAfter == 6)
        #expect(settings.faceSide == MonitorSettings().faceSide)  // missing keys keep defaults
        try settings.apply(environment: ["PROCTOR_FPS": "3"])
        #expect(settings.fps == 3)
        #expect(throws: SettingsError.self) { try settings.apply(environment: ["PROCTOR_FPS": "fast"]) }
        settings.fps = 0
        #expect(throws: SettingsError.self) { try settings.validate() }
        let broken = try folder.write("broken.json", Array("{\"fps\": ".utf8))
        #expect(throws: SettingsError.self) { _ = try MonitorSettings.load(path: broken) }
    }

    /// Huge camera frames: the evidence kept (and stored) is at most 1920 px on its long side.
    @Test func evidenceOfHugeFramesIsScaledDownWhenTaken() async throws {
        let folder = try TemporaryDirectory()
        let clip = folder.path("clip")
        try FileManager.default.createDirectory(atPath: clip, withIntermediateDirectories: true)
        let photo = try Image.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: TestAssets.photo("person.jpg")))))
        let huge = try photo.resized(width: 4800, height: 4800 * photo.height / photo.width)
        let frame = try folder.write("huge.jpg", try huge.jpegData(quality: 80))
        for index in 0..<12 {
            try FileManager.default.createSymbolicLink(atPath: clip + "/f\(index).jpg", withDestinationPath: frame)
        }
        let outbox = try Outbox(path: folder.path("outbox.sqlite"))
        let settings = MonitorSettings()
        let session = try MonitorSession(
            identity: .init(studentID: "s-1"), settings: settings,
            pipeline: try TestAssets.factory(configuration: settings.vision).makePipeline(), outbox: outbox, live: false)
        try session.start()
        let sampler = try FrameSampler(
            source: ImageDirectorySource(directory: clip, fps: 2, loader: ImageLoader(maxPixels: 100_000_000)), options: .init(fps: 2))
        for await event in sampler.events { try session.handle(event) }
        try session.finish()
        let episodes = try outbox.episodes(sessionID: session.identity.sessionID)
        let absent = try #require(episodes.first { $0.record.type == .faceAbsent })
        let evidence = try #require(try outbox.evidence(episodeID: absent.id))
        let stored = try Image.decode([UInt8](try #require(evidence.jpeg)))
        #expect(max(stored.width, stored.height) == 1920)
        #expect(abs(Double(stored.width) / Double(stored.height) - Double(huge.width) / Double(huge.height)) < 0.01)
        let thumbnail = try Image.decode([UInt8](try #require(evidence.thumbnail)))
        #expect(max(thumbnail.width, thumbnail.height) == settings.thumbnailSide)
    }
}
