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

/// An event and when the consumer saw it (seconds since collection started).
struct Seen {
    let event: CaptureEvent
    let at: Double

    var frame: CapturedFrame? {
        if case .frame(let frame) = event { return frame }
        return nil
    }

    var label: String {
        switch event {
        case .frame: "frame"
        case .lost: "lost"
        case .restored: "restored"
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
    let start = Date()
    var seen: [Seen] = []
    for await event in sampler.events {
        let item = Seen(event: event, at: Date().timeIntervalSince(start))
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
