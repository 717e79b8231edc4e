import FakeV4L2
import Foundation
import ProctorCapture
import Testing

extension FakeCameraTests {
    /// The fixed analysis rate hands out the newest frame and drops the rest.
    @Suite struct Sampling {
        @Test func thirtyFPSCameraSampledAtTwo() async throws {
            try Fixture.camera(mjpeg: (64, 48), fps: 30)
            let sampler = try FrameSampler(source: V4L2Camera(path: fakePath, width: 64, height: 48), options: .init(fps: 2))
            var lags: [Int] = []
            let seen = await collect(sampler, timeout: 4, onEvent: { item, _ in
                // How many frames the camera delivered after this one before the consumer got it.
                if let frame = item.frame { lags.append(Int(fakev4l2_frames_dequeued()) - 1 - frame.sequence) }
            }, until: { all in all.count >= 5 })
            sampler.stop()
            let frames = seen.compactMap(\.frame)
            #expect(frames.count == 5)
            // Five frames on a 2 fps grid: about 2 s from the first to the last.
            let span = (seen.last?.at ?? 0) - (seen.first?.at ?? 0)
            #expect(span > 1.8 && span < 2.3, "span \(span) s")
            for (previous, next) in zip(frames, frames.dropFirst()) {
                #expect(abs(next.time - previous.time - 0.5) < 0.06)
                #expect(abs(next.sequence - previous.sequence - 15) <= 2, "sequence \(previous.sequence) -> \(next.sequence)")
            }
            #expect(lags.allSatisfy { $0 <= 2 }, "frames were stale by \(lags)")
        }

        @Test func slowConsumerGetsFreshFramesNotABacklog() async throws {
            try Fixture.camera(mjpeg: (64, 48), fps: 30)
            let sampler = try FrameSampler(source: V4L2Camera(path: fakePath, width: 64, height: 48), options: .init(fps: 10))
            let seen = await collect(sampler, timeout: 4, onEvent: { item, all in
                if all.count == 1 { try? await Task.sleep(for: .seconds(1.2)) }
            }, until: { all in all.count >= 3 })
            sampler.stop()
            let frames = seen.compactMap(\.frame)
            #expect(frames.count == 3)
            guard frames.count == 3 else { return }
            // After the 1.2 s pause the next frame is at most one tick old, not the one 0.1 s after the first.
            #expect(frames[1].time - frames[0].time > 1.0, "got \(frames[1].time - frames[0].time) s later")
            #expect(frames[2].time - frames[1].time < 0.25)
        }
    }
}
