import ProctorVision

/// The last few analysed frames, so an episode's best frame can still be encoded when the episode
/// opens seconds after that frame was seen.
struct EvidenceBuffer {
    private var frames: [(sequence: Int, image: Image)] = []
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    mutating func append(sequence: Int, image: Image) {
        frames.append((sequence, image))
        if frames.count > capacity { frames.removeFirst(frames.count - capacity) }
    }

    func image(sequence: Int) -> Image? { frames.last { $0.sequence == sequence }?.image }
}
