/// Tells whether a frame repeats the previous one, from small grayscale thumbnails (e.g. 16x12).
///
/// A live webcam never delivers two identical frames: sensor noise and exposure jitter always move a
/// few grey levels. A stalled driver or a replayed still image does. The detector only judges one
/// pair; how long the repetition must last (3 s by default) is the `camera_blocked` rule's job.
public struct FrozenFrameDetector: Sendable, Hashable {
    /// Pairs with a mean absolute difference at or below this (0-255 scale) count as unchanged.
    public var maxMeanDifference: Double
    private var previous: [UInt8]?

    public init(maxMeanDifference: Double = 0.1) {
        self.maxMeanDifference = maxMeanDifference
    }

    /// Whether `thumbnail` matches the previous thumbnail; false for the first one and whenever the
    /// size changed (a resolution switch is not a freeze).
    public mutating func isUnchanged(_ thumbnail: [UInt8]) -> Bool {
        defer { previous = thumbnail }
        guard let previous, let difference = Self.meanAbsoluteDifference(previous, thumbnail) else { return false }
        return difference <= maxMeanDifference
    }

    /// Forgets the previous thumbnail, e.g. after the camera was lost.
    public mutating func reset() { previous = nil }

    /// The mean absolute difference of two equally sized thumbnails; nil when sizes differ or are 0.
    public static func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Double? {
        guard a.count == b.count, !a.isEmpty else { return nil }
        var total = 0
        for index in a.indices {
            total += abs(Int(a[index]) - Int(b[index]))
        }
        return Double(total) / Double(a.count)
    }
}
