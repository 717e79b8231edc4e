import Foundation
import ProctorCapture
import ProctorImaging
import Testing

/// Video replays through OpenCV (an image-sequence pattern stands in for a video file: this
/// machine's OpenCV reads those without codecs).
@Suite struct VideoFileSourceTests {
    @Test func replaysAFrameSequence() async throws {
        try await withTemporaryDirectory { directory in
            for index in 0..<4 {
                let bytes = try Fixture.jpeg(width: 32, height: 24, bgr: (0, 0, 200))
                try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent("f\(index).jpg"))
            }
            let sampler = try FrameSampler(source: VideoFileSource(directory + "/f%d.jpg"), options: .init(fps: 1000))
            let seen = await collect(sampler, timeout: 4, until: { _ in false })
            let frames = seen.compactMap(\.frame)
            #expect(frames.count == 4)
            #expect(frames.allSatisfy { $0.image.width == 32 && $0.image.height == 24 })
            #expect(frames.map(\.time) == frames.map(\.time).sorted())
            #expect(seen.last?.label == "ended")
        }
    }

    @Test func missingFileIsAOneLineError() {
        #expect(throws: CaptureError(.notFound, "no such video file: /nonexistent/exam.mp4")) {
            _ = try FrameSampler(source: VideoFileSource("/nonexistent/exam.mp4"))
        }
    }

    @Test func networkURLsAreLive() {
        #expect(VideoFileSource("rtsp://camera.local/stream").isLive)
        #expect(!VideoFileSource("file:///tmp/exam.mp4").isLive)
        #expect(!VideoFileSource("/tmp/exam.mp4").isLive)
    }
}

/// An IP camera's URL carries its password: logs, errors and the session record show it without.
@Suite(.timeLimit(.minutes(1))) struct StreamCredentialsTests {
    @Test func theUserAndPasswordAreLeftOut() {
        #expect(VideoFileSource.withoutCredentials("rtsp://admin:pw-secret@10.0.0.5:554/stream1") == "rtsp://***@10.0.0.5:554/stream1")
        #expect(VideoFileSource.withoutCredentials("http://cam.local/mjpeg") == "http://cam.local/mjpeg")
        #expect(VideoFileSource.withoutCredentials("/videos/a.mp4") == "/videos/a.mp4")
        let source = VideoFileSource("rtsp://u:pw-secret@127.0.0.1:1/x")
        #expect(source.description == "stream rtsp://***@127.0.0.1:1/x")
        do {
            try source.open()
            Issue.record("a stream on a closed port opened")
        } catch {
            #expect(!error.description.contains("pw-secret"), "\(error.description)")
        }
    }
}
