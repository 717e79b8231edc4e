import Foundation
import ProctorCapture
import ProctorImaging
import Testing

/// Replays of a directory of images.
@Suite struct ImageDirectorySourceTests {
    /// Writes JPEGs whose widths identify them: `name` -> width.
    func write(_ files: [(String, Int)], to directory: String) throws {
        for (name, width) in files {
            let bytes = try Fixture.jpeg(width: width, height: 16, bgr: (10, 200, 10))
            try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
        }
    }

    @Test func yieldsFilesInNameOrderSpacedOneOverFPS() async throws {
        try await withTemporaryDirectory { directory in
            try write([("frame10.jpg", 40), ("frame2.jpg", 24), ("frame1.jpg", 16), ("frame3.png.txt", 8)], to: directory)
            let sampler = try FrameSampler(source: ImageDirectorySource(directory: directory, fps: 2), options: .init(fps: 2))
            let seen = await collect(sampler, timeout: 4, until: { _ in false })
            let frames = seen.compactMap(\.frame)
            #expect(frames.map(\.image.width) == [16, 24, 40])
            #expect(frames.map(\.time) == [0, 0.5, 1.0])
            #expect(frames.map(\.sequence) == [0, 1, 2])
            #expect(seen.last?.label == "ended")
        }
    }

    @Test func analysisRateBelowTheSequenceRateSkipsImages() async throws {
        try await withTemporaryDirectory { directory in
            try write((0..<6).map { ("img\($0).jpg", 16 + $0 * 8) }, to: directory)
            let sampler = try FrameSampler(source: ImageDirectorySource(directory: directory, fps: 4), options: .init(fps: 2))
            let frames = await collect(sampler, timeout: 4, until: { _ in false }).compactMap(\.frame)
            #expect(frames.map(\.sequence) == [0, 2, 4])
            #expect(frames.map(\.time) == [0, 0.5, 1.0])
        }
    }

    @Test func aSlowConsumerMissesNoImage() async throws {
        try await withTemporaryDirectory { directory in
            try write((0..<5).map { ("img\($0).jpg", 16) }, to: directory)
            let sampler = try FrameSampler(source: ImageDirectorySource(directory: directory, fps: 2), options: .init(fps: 2))
            let frames = await collect(sampler, timeout: 4, onEvent: { _, _ in
                try? await Task.sleep(for: .milliseconds(60))
            }, until: { _ in false }).compactMap(\.frame)
            #expect(frames.map(\.sequence) == [0, 1, 2, 3, 4])
        }
    }

    @Test func realtimeReplayTakesItsMediaDuration() async throws {
        try await withTemporaryDirectory { directory in
            try write((0..<5).map { ("img\($0).jpg", 16) }, to: directory)
            let clock = VirtualClock()
            let sampler = try FrameSampler(
                source: ImageDirectorySource(directory: directory, fps: 10), options: .init(fps: 10, realtime: true), clock: clock)
            let seen = await collect(sampler, timeout: 4, until: { _ in false })
            // Paced on its clock like a live camera: a busy consumer may miss frames (newest wins),
            // but the replay takes its media time (5 frames at 10 fps: the last 0.4 s after the first).
            let frames = seen.compactMap(\.frame)
            #expect(!frames.isEmpty && frames.count <= 5)
            #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.time < $1.time })
            #expect(abs(clock.now() - 0.4) < 0.001, "5 frames at 10 fps took \(clock.now()) s")
        }
    }

    @Test func missingAndEmptyDirectoriesAreOneLineErrors() async throws {
        #expect(throws: CaptureError(.notFound, "no such directory: /nonexistent/frames")) {
            _ = try FrameSampler(source: ImageDirectorySource(directory: "/nonexistent/frames"))
        }
        try await withTemporaryDirectory { directory in
            #expect(throws: CaptureError(.notFound, "no images in \(directory)")) {
                _ = try FrameSampler(source: ImageDirectorySource(directory: directory))
            }
        }
    }

    /// One bad file is one input among many (as in `proctor analyze`): named, passed over, and the
    /// replay goes on with the next image on its own media time.
    @Test func anUnreadableImageIsSkippedNamingTheFileAndTheReplayGoesOn() async throws {
        try await withTemporaryDirectory { directory in
            try write([("a.jpg", 16), ("c.jpg", 24)], to: directory)
            try Data([0xFF, 0xD8, 0xFF, 0x00]).write(to: URL(fileURLWithPath: directory).appendingPathComponent("b.jpg"))
            let sampler = try FrameSampler(source: ImageDirectorySource(directory: directory, fps: 2))
            let seen = await collect(sampler, timeout: 4, until: { _ in false })
            #expect(seen.map(\.label) == ["frame", "skipped", "frame", "ended"])
            if case .skipped(let time, let reason) = seen[1].event {
                #expect(time == 0.5 && reason.hasPrefix("b.jpg: "), "\(reason)")
            }
            #expect(seen.compactMap(\.frame).map(\.image.width) == [16, 24])
            #expect(seen.compactMap(\.frame).map(\.time) == [0, 1.0])
        }
    }

    /// A folder of nothing but bad files: each is reported to a slow consumer (none replaced or lost),
    /// then the replay ends.
    @Test func everyBadFileIsReportedToASlowConsumer() async throws {
        try await withTemporaryDirectory { directory in
            for index in 0..<50 {
                try Data([0xFF, 0xD8, 0xFF, 0x00]).write(to: URL(fileURLWithPath: directory).appendingPathComponent("bad\(index).jpg"))
            }
            let sampler = try FrameSampler(source: ImageDirectorySource(directory: directory, fps: 2))
            let seen = await collect(sampler, timeout: 10, onEvent: { _, _ in try? await Task.sleep(for: .milliseconds(5)) }, until: { _ in false })
            #expect(seen.filter { $0.label == "skipped" }.count == 50 && seen.last?.label == "ended")
        }
    }

    @Test func rejectsANonPositiveAnalysisRate() throws {
        #expect(throws: CaptureError.self) {
            _ = try FrameSampler(source: ImageDirectorySource(directory: "/tmp"), options: .init(fps: 0))
        }
    }
}
