import FakeV4L2
import Foundation
import ProctorCapture
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension FakeCameraTests {
    /// A camera that goes away mid-run is reported lost, then restored once it is back. The faults run
    /// on the camera's virtual time (``FakeDeviceClock``), so the times they are reported at are exact.
    @Suite struct Reconnect {
        func labels(_ seen: [Seen]) -> [String] {
            // Collapse runs of frames so the shape of the run reads at a glance.
            seen.map(\.label).reduce(into: []) { out, label in
                if label != "frame" || out.last != "frame" { out.append(label) }
            }
        }

        func unplugThenRestore(error code: Int32) async throws {
            try Fixture.camera(mjpeg: (64, 48), fps: 30)
            let clock = FakeDeviceClock.install(allowing: 0.05)
            let sampler = try FrameSampler(
                source: V4L2Camera(path: fakePath, width: 64, height: 48, clock: clock), options: .init(fps: 10), clock: clock)
            let unplugged = Flag()
            var thirdFrame = 0.0
            let seen = await collect(sampler, timeout: 10, onEvent: { item, all in
                guard let frame = item.frame else { return }
                if all.count == 3, unplugged.set() {
                    thirdFrame = frame.time
                    let unpluggedAt = clock.now()
                    fakev4l2_unplug(code)
                    // Back after the first reconnect attempt (0.5 s) has failed, before the second (1.5 s).
                    fakev4l2_replug_at(unpluggedAt + 0.8)
                    clock.allow(until: frame.time + 5)
                } else if !unplugged.isSet {
                    clock.allow(until: frame.time + 0.1 + 0.05)
                }
            }, until: { all in all.last?.label == "frame" && all.contains { $0.label == "restored" } })
            sampler.stop()
            #expect(labels(seen) == ["frame", "lost", "restored", "frame"])
            guard case .lost(let lostAt, let reason)? = seen.first(where: { $0.label == "lost" })?.event,
                case .restored(let restoredAt)? = seen.first(where: { $0.label == "restored" })?.event
            else { return }
            #expect(reason.contains("camera \(fakePath) disconnected"), "reason: \(reason)")
            // Noticed at the next poll after the third frame, before the next tick.
            #expect(lostAt >= thirdFrame && lostAt < thirdFrame + 0.1, "lost at \(lostAt) s, third frame at \(thirdFrame) s")
            // First retry at +0.5 s fails (still unplugged), the second at +1.5 s succeeds; its first frame
            // comes 1/30 s after streaming restarts.
            #expect(abs(restoredAt - lostAt - (1.5 + 1.0 / 30)) < 0.002, "restored \(restoredAt - lostAt) s after the loss")
            #expect(fakev4l2_total_opens() >= 2)
            #expect(fakev4l2_open_descriptors() == 0)
        }

        @Test func unplugWithENODEV() async throws { try await unplugThenRestore(error: ENODEV) }

        @Test func unplugWithEIO() async throws { try await unplugThenRestore(error: EIO) }

        @Test func stallIsReportedLostThenRestored() async throws {
            try Fixture.camera(mjpeg: (64, 48), fps: 30)
            let clock = FakeDeviceClock.install(allowing: 0.05)  // the first frame only
            let sampler = try FrameSampler(
                source: V4L2Camera(path: fakePath, width: 64, height: 48, clock: clock), options: .init(fps: 10), clock: clock)
            let stalled = Flag()
            var firstFrame = 0.0
            let seen = await collect(sampler, timeout: 10, onEvent: { item, _ in
                if let frame = item.frame, stalled.set() {
                    firstFrame = frame.time
                    fakev4l2_stall(2.6)
                    clock.allow(until: frame.time + 6)
                }
            }, until: { all in all.last?.label == "frame" && all.contains { $0.label == "restored" } })
            sampler.stop()
            #expect(labels(seen) == ["frame", "lost", "restored", "frame"])
            if case .lost(let lostAt, let reason)? = seen.first(where: { $0.label == "lost" })?.event {
                #expect(reason == "camera \(fakePath) sent no frame for 2 s")
                // The stall timeout runs from the grab after the last frame.
                #expect(abs(lostAt - firstFrame - 2) < 0.002, "lost \(lostAt - firstFrame) s after the last frame")
            }
        }

        @Test func cancellingTheConsumerClosesTheCamera() async throws {
            try Fixture.camera(yuyv: (64, 48))
            let sampler = try FrameSampler(source: V4L2Camera(path: fakePath, width: 64, height: 48), options: .init(fps: 10))
            let consumer = Task {
                var frames = 0
                for await _ in sampler.events { frames += 1 }
                return frames
            }
            try await Task.sleep(for: .milliseconds(300))
            consumer.cancel()
            #expect(await consumer.value >= 2)
            // The capture thread notices within one poll slice (0.1 s).
            var waited = 0
            while fakev4l2_open_descriptors() > 0, waited < 100 {
                try await Task.sleep(for: .milliseconds(10))
                waited += 1
            }
            #expect(fakev4l2_open_descriptors() == 0)
            sampler.stop()
        }

        @Test func stopEndsTheStreamAndClosesTheCamera() async throws {
            try Fixture.camera(yuyv: (64, 48))
            let sampler = try FrameSampler(source: V4L2Camera(path: fakePath, width: 64, height: 48))
            let seen = await collect(sampler, timeout: 3, onEvent: { item, _ in
                if item.frame != nil { sampler.stop() }
            }, until: { _ in false })
            #expect(seen.map(\.label) == ["frame", "ended"])
            #expect(fakev4l2_open_descriptors() == 0)
            #expect(fakev4l2_mapped_buffers() == 0)
        }
    }
}

/// A flag that reports whether this call was the one to set it.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if value { return false }
        value = true
        return true
    }
}
