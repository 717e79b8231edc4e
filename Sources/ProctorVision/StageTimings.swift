/// Where the time of one frame's analysis went, in milliseconds.
///
/// A measurement of the pipeline, not part of what it saw: the pipeline fills it beside the
/// ``FrameAnalysis`` (which the rules consume) and `proctor analyze --timings` prints it.
public struct StageTimings: Sendable, Hashable, Codable {
    public var decode: Double = 0
    public var faces: Double = 0
    public var pose: Double = 0
    public var objects: Double = 0
    public var quality: Double = 0
    /// Comparing faces with the reference photo (absent without a reference).
    public var identity: Double?
    /// Time spent inside OpenCV calls (decode, resize, forward passes, solvePnP, statistics).
    public var openCV: Double = 0
    public var total: Double = 0

    public init() {}

    /// Everything that is not OpenCV's own work: decoding outputs, NMS, bookkeeping.
    public var overhead: Double { max(0, total - openCV) }
}
