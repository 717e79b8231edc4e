import FakeV4L2
import Foundation
import ProctorCapture
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension FakeCameraTests {
    /// A camera that goes away mid-run is reported lost, then restored once it is back.
    @Suite struct Reconnect {
        func labels(_ seen: [Seen]) -> [String] {
            // Collapse runs of frames so the shape of the run reads at a glance.
            seen.map(\.label).reduce(into: []) { out, label in
                if label != "frame" || out.last != "frame" { out.append(label) }
            }
        }

        func unplugThenRestore(error code: Int32) async throws {
            try Fixture.camera(mjpeg: (64, 48), fps: 30)
            let sampler = try FrameSampler(
                source: V4L2Camera(path: fakePath, width: 64, height: 48), options: .init(fps: 10))
            let unplugged = Flag()
            let seen = await collect(sampler, timeout: 4.5, onEvent: { item, all in
                if item.frame != nil, all.count == 3, unplugged.set() {
                    fakev4l2_unplug(code)
                    // Back after the first reconnect attempt (0.5 s) has failed.
                    Task.detached {
                        try? await Task.sleep(for: .seconds(0.8))
                        fakev4l2_replug()
                    }
                }
            }, until: { all in all.last?.label == "frame" && all.contains { $0.label == "restored" } })
            sampler.stop()
            #expect(labels(seen) == ["frame", "lost", "restored", "frame"])
            let lost = seen.first { $0.label == "lost" }
            if case .lost(let at, let reason)? = lost?.event {
                #expect(reason.contains("camera \(fakePath) disconnected"), "reason: \(reason)")
                #expect(at > 0.1 && at < 1.5)
            }
            if case .restored(let at)? = seen.first(where: { $0.label == "restored" })?.event,
                let lostAt = lost?.at, let restoredAt = seen.first(where: { $0.label == "restored" })?.at
            {
                // First retry at +0.5 s fails (still unplugged), the second at +1.5 s succeeds.
                #expect(restoredAt - lostAt > 1.2 && restoredAt - lostAt < 2.5)
                #expect(at > 1.3)
            }
            #expect(fakev4l2_total_opens() >= 2)
            #expect(fakev4l2_open_descriptors() == 0)
        }

        @Test func unplugWithENODEV() async throws { try await unplugThenRestore(error: ENODEV) }

        @Test func unplugWithEIO() async throws { try await unplugThenRestore(error: EIO) }

        @Test func stallIsReportedLostThenRestored() async throws {
            try Fixture.camera(mjpeg: (64, 48), fps: 30)
            let sampler = try FrameSampler(
                source: V4L2Camera(path: fakePath, width: 64, height: 48), options: .init(fps: 10))
            let stalled = Flag()
            let seen = await collect(sampler, timeout: 4.8, onEvent: { item, _ in
                if item.frame != nil, stalled.set() { fakev4l2_stall(2.6) }
            }, until: { all in all.last?.label == "frame" && all.contains { $0.label == "restored" } })
            sampler.stop()
            #expect(labels(seen) == ["frame", "lost", "restored", "frame"])
            if let lost = seen.first(where: { $0.label == "lost" }), case .lost(_, let reason) = lost.event {
                #expect(reason == "camera \(fakePath) sent no frame for 2 s")
                #expect(lost.at > 1.9 && lost.at < 2.6, "lost after \(lost.at) s")
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

    func set() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if value { return false }
        value = true
        return true
    }
}
