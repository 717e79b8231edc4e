import ProctorImaging

/// One frame handed to the consumer.
public struct CapturedFrame: Sendable {
    /// The pixels, converted to BGR.
    public let image: Image
    /// Media time in seconds: position in the file for replays, time since capture started for live sources.
    public let time: Double
    /// The index of this frame among all frames the source produced (gaps are frames the sampler dropped).
    public let sequence: Int

    public init(image: Image, time: Double, sequence: Int) {
        self.image = image
        self.time = time
        self.sequence = sequence
    }
}

/// What a ``FrameSampler`` reports to its consumer, in order.
public enum CaptureEvent: Sendable {
    /// The newest frame at an analysis tick.
    case frame(CapturedFrame)
    /// A live source stopped delivering (unplugged, I/O error, stalled); the sampler is reconnecting.
    case lost(at: Double, reason: String)
    /// Frames flow again after a ``lost(at:reason:)``.
    case restored(at: Double)
    /// A recorded frame that cannot be decoded (a truncated image in a replayed folder): it is passed
    /// over and the replay goes on. A live source's damaged frames are dropped without an event (the
    /// next frame takes the tick); a video file that cannot be read on fails the replay.
    case skipped(at: Double, reason: String)
    /// The source ended (replay finished) or the sampler was stopped. Always the last event but for ``failed(_:)``.
    case ended
    /// The source failed in a way reconnecting cannot cure; the last event.
    case failed(CaptureError)
}
