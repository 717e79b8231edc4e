import ProctorImaging

/// Something that produces frames one at a time: a camera, a video, a directory of images.
///
/// A source is driven by one thread at a time (the ``FrameSampler``'s capture thread), so it need
/// not be thread-safe. Reading is split into ``grab(until:)`` and ``retrieve()`` so the sampler can
/// skip frames it will drop without paying for their decoding.
public protocol FrameSource: AnyObject, CustomStringConvertible {
    /// True for cameras and network streams: frames come on the wall clock and can stop coming.
    /// Their times are seconds on CLOCK_MONOTONIC; replays report media time from their start.
    var isLive: Bool { get }

    /// Opens (or, after ``close()``, reopens) the source.
    func open() throws(CaptureError)

    /// Advances to the next frame and returns its time in seconds, or nil at the end of the
    /// source or once `stopped` returns true (checked at least every 100 ms while waiting).
    func grab(until stopped: () -> Bool) throws(CaptureError) -> Double?

    /// Decodes the frame the last ``grab(until:)`` advanced to.
    func retrieve() throws(CaptureError) -> Image

    /// Releases the device or file; safe to call when not open.
    func close()
}
