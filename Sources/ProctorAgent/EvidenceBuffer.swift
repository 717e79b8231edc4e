import ProctorCore
import ProctorImaging
import ProctorVision

/// The last few analysed frames, so an episode's best frame can still be encoded when the episode
/// opens seconds after that frame was seen.
///
/// Frames are kept at most ``maxSide`` px on their long side, scaled down when taken: an 8000x6000
/// camera frame is 144 MB, and the buffer holds seconds of frames. Evidence at 1920 px still shows
/// a phone or a second face clearly; analysis itself always ran on the full frame.
struct EvidenceBuffer {
    /// The long side of a kept frame.
    static let maxSide = 1920
    /// Frames kept at most, whatever the rules ask: memory stays bounded (about 2 GB at 1920x1440).
    static let maxCapacity = 256

    /// A kept frame and the factor from the analysed frame's coordinates to its own.
    struct Frame {
        var image: Image
        var scale: Double
    }

    private var frames: [(sequence: Int, frame: Frame)] = []
    private let capacity: Int

    init(capacity: Int) { self.capacity = min(max(1, capacity), Self.maxCapacity) }

    /// Keeps `image` (scaled down to ``maxSide``); a frame that cannot be scaled is not kept.
    mutating func append(sequence: Int, image: Image) {
        guard let kept = try? image.fitting(maxSide: Self.maxSide) else { return }
        frames.append((sequence, Frame(image: kept, scale: Double(kept.width) / Double(max(1, image.width)))))
        if frames.count > capacity { frames.removeFirst(frames.count - capacity) }
    }

    func frame(sequence: Int) -> Frame? { frames.last { $0.sequence == sequence }?.frame }
}
