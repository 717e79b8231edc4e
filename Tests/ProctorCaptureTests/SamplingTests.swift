import FakeV4L2
import Foundation
import ProctorCapture
import Testing

extension FakeCameraTests {
    /// The fixed analysis rate hands out the newest frame and drops the rest. The camera runs on virtual
    /// time (``FakeDeviceClock``), so every time below is exact, whatever the machine's load.
    @Suite struct Sampling {
        @Test func thirtyFPSCameraSampledAtTwo() async throws {
            try Fixture.camera(mjpeg: (64, 48), fps: 30)
            let clock = FakeDeviceClock.install(allowing: 0.05)  // the first frame comes at 1/30 s
            let sampler = try FrameSampler(
                source: V4L2Camera(path: fakePath, width: 64, height: 48, clock: clock), options: .init(fps: 2), clock: clock)
            var lags: [Int] = []
            let seen = await collect(sampler, timeout: 10, onEvent: { item, _ in
                guard let frame = item.frame else { return }
                // How many frames the camera delivered after this one before the consumer got it.
                lags.append(Int(fakev4l2_frames_dequeued()) - 1 - frame.sequence)
                // On to just past the next tick's frame: the consumer keeps up with the analysis rate.
                clock.allow(until: frame.time + 0.5 + 0.05)
            }, until: { all in all.count >= 5 })
            sampler.stop()
            let frames = seen.compactMap(\.frame)
            #expect(frames.count == 5)
            // Five frames on a 2 fps grid: 2 s of camera time from the first to the last.
            let span = (frames.last?.time ?? 0) - (frames.first?.time ?? 0)
            #expect(abs(span - 2) < 0.001, "span \(span) s")
            for (previous, next) in zip(frames, frames.dropFirst()) {
                #expect(abs(next.time - previous.time - 0.5) < 0.001)
                #expect(next.sequence - previous.sequence == 15, "sequence \(previous.sequence) -> \(next.sequence)")
            }
            #expect(lags.allSatisfy { $0 <= 2 }, "frames were stale by \(lags)")
        }

        @Test func slowConsumerGetsFreshFramesNotABacklog() async throws {
            try Fixture.camera(mjpeg: (64, 48), fps: 30)
            let clock = FakeDeviceClock.install(allowing: 0.05)
            let sampler = try FrameSampler(
                source: V4L2Camera(path: fakePath, width: 64, height: 48, clock: clock), options: .init(fps: 10), clock: clock)
            let seen = await collect(sampler, timeout: 10, onEvent: { item, all in
                guard let frame = item.frame else { return }
                if all.count == 1 {
                    // Busy with the first frame for 1.18 s of camera time, while the camera runs on.
                    clock.allow(until: frame.time + 1.18)
                    await clock.waitUntilReached(frame.time + 1.18)
                } else {
                    clock.allow(until: frame.time + 0.1 + 0.05)
                }
            }, until: { all in all.count >= 3 })
            sampler.stop()
            let frames = seen.compactMap(\.frame)
            #expect(frames.count == 3)
            guard frames.count == 3 else { return }
            // After the pause the next frame is the newest tick (1.1 s on), not the one 0.1 s after the first.
            #expect(abs(frames[1].time - frames[0].time - 1.1) < 0.001, "got \(frames[1].time - frames[0].time) s later")
            #expect(abs(frames[2].time - frames[1].time - 0.1) < 0.001)
        }
    }
}
