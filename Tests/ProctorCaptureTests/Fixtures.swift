import CV4L2
import FakeV4L2
import Foundation
import ProctorCapture
import ProctorImaging
import Testing

/// Every test that touches the fake camera lives under this suite: the fake is one global device,
/// so these run one at a time.
@Suite(.serialized) struct FakeCameraTests {}

let fakePath = "/dev/fake-video0"
let h264Fourcc: UInt32 = 0x3436_3248  // "H264"

enum Fixture {
    /// A YUYV frame of one colour (video-range BT.601 values).
    static func yuyv(width: Int, height: Int, y: UInt8, u: UInt8, v: UInt8) -> [UInt8] {
        Array([y, u, y, v].lazy.cycled(times: width * height / 2))
    }

    /// A JPEG of one BGR colour.
    static func jpeg(width: Int, height: Int, bgr: (UInt8, UInt8, UInt8)) throws -> [UInt8] {
        try image(width: width, height: height, bgr: bgr).jpegData(quality: 95)
    }

    static func image(width: Int, height: Int, bgr: (UInt8, UInt8, UInt8)) throws -> Image {
        let pixels = Array([bgr.0, bgr.1, bgr.2].lazy.cycled(times: width * height))
        return try pixels.withUnsafeBytes { try Image.fromBGR($0, width: width, height: height, stride: width * 3) }
    }

    /// Resets the fake to a camera offering `formats` (YUYV mid-grey and/or a blue MJPEG) at `fps`.
    static func camera(yuyv: (Int, Int)? = nil, mjpeg: (Int, Int)? = nil, fps: UInt32 = 30, extra: [UInt32] = []) throws {
        fakev4l2_reset()
        fakev4l2_set_frame_rate(fps)
        for fourcc in extra { fakev4l2_add_format(fourcc, 64, 48, nil, 0) }
        if let (width, height) = yuyv {
            let frame = Fixture.yuyv(width: width, height: height, y: 81, u: 90, v: 240)  // red
            fakev4l2_add_format(CV4L2_PIX_FMT_YUYV, UInt32(width), UInt32(height), frame, frame.count)
        }
        if let (width, height) = mjpeg {
            let frame = try jpeg(width: width, height: height, bgr: (255, 0, 0))  // blue
            fakev4l2_add_format(CV4L2_PIX_FMT_MJPEG, UInt32(width), UInt32(height), frame, frame.count)
        }
    }
}

extension LazySequenceProtocol {
    func cycled(times: Int) -> [Element] {
        let one = Array(self)
        var out: [Element] = []
        out.reserveCapacity(one.count * times)
        for _ in 0..<times { out.append(contentsOf: one) }
        return out
    }
}

/// The mean blue, green and red of an image.
func meanColor(_ image: Image) throws -> (b: Double, g: Double, r: Double) {
    let bytes = try image.bgrBytes()
    var sums = [0.0, 0.0, 0.0]
    for (index, byte) in bytes.enumerated() { sums[index % 3] += Double(byte) }
    let count = Double(bytes.count / 3)
    return (sums[0] / count, sums[1] / count, sums[2] / count)
}

/// The fake camera's virtual clock as the capture code's clock (install it after ``Fixture/camera``).
///
/// Time passes only when the device polls (jumping straight to the next frame or the timeout) or the
/// capture code sleeps, and never past what the test allowed: a test lets the camera run exactly as
/// far as it wants, however slow the machine, and asserts on the clock's times, not the wall clock's.
struct FakeDeviceClock: CaptureClock {
    /// Virtual time at install (only differences matter; frame times are relative to the sampler's start).
    static let start = 1000.0

    /// Switches the fake to virtual time, with the camera allowed to run `seconds`.
    static func install(allowing seconds: Double) -> FakeDeviceClock {
        fakev4l2_use_virtual_time(start)
        fakev4l2_allow_until(start + seconds)
        return FakeDeviceClock()
    }

    func now() -> Double { fakev4l2_now() }

    func sleep(_ seconds: Double, waiting wait: (Double) -> Bool) -> Bool {
        var left = seconds
        while left > 1e-9 {
            left -= fakev4l2_advance(left)
            // Held at the limit: wait (really) for the test to allow more, or for a stop.
            if left > 1e-9, !wait(0.001) { return false }
        }
        return wait(0)
    }

    /// Lets the camera run until `seconds` after the start.
    func allow(until seconds: Double) { fakev4l2_allow_until(Self.start + seconds) }

    /// Waits until the camera has used all the time it was allowed, up to `seconds` after the start
    /// (at most 10 s of real time): everything due until then has been handed out.
    func waitUntilReached(_ seconds: Double) async {
        for _ in 0..<10_000 where fakev4l2_now() < Self.start + seconds {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// A clock whose sleeps return at once and move it forward.
final class VirtualClock: CaptureClock, @unchecked Sendable {
    // `lock` guards `time`.
    private let lock = NSLock()
    private var time = 0.0

    func now() -> Double { lock.withLock { time } }

    func sleep(_ seconds: Double, waiting wait: (Double) -> Bool) -> Bool {
        lock.withLock { time += seconds }
        return wait(0)
    }
}

/// An event, as the consumer saw it.
struct Seen {
    let event: CaptureEvent

    var frame: CapturedFrame? {
        if case .frame(let frame) = event { return frame }
        return nil
    }

    var label: String {
        switch event {
        case .frame: "frame"
        case .lost: "lost"
        case .restored: "restored"
        case .skipped: "skipped"
        case .ended: "ended"
        case .failed: "failed"
        }
    }
}

/// Reads events until `done` is satisfied, the stream ends, or `timeout` passes (then stops the sampler).
/// `onEvent` runs for each event (for faults injected at a point in the run, or a slow consumer).
func collect(
    _ sampler: FrameSampler, timeout: Double, onEvent: (Seen, [Seen]) async -> Void = { _, _ in },
    until done: ([Seen]) -> Bool
) async -> [Seen] {
    let watchdog = Task.detached {
        try? await Task.sleep(for: .seconds(timeout))
        if !Task.isCancelled { sampler.stop() }
    }
    defer { watchdog.cancel() }
    var seen: [Seen] = []
    for await event in sampler.events {
        let item = Seen(event: event)
        seen.append(item)
        await onEvent(item, seen)
        if done(seen) { break }
    }
    return seen
}

/// Runs `body` with a fresh temporary directory.
@discardableResult
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = NSTemporaryDirectory() + "proctor-capture-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}
