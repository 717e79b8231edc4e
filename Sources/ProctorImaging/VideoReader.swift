import CVShim

/// Frames of a video file or network stream, decoded by OpenCV's video I/O.
///
/// Lives here rather than in the capture layer because only this module can wrap the shim's images.
/// Not thread-safe: read from one thread at a time.
public final class VideoReader {
    private let handle: OpaquePointer

    /// Opens a file path or a URL (rtsp://, http://...).
    public init(source: String) throws(VisionError) {
        try IOLibrary.require(for: "reading video")
        var out: OpaquePointer?
        try shim("") { pv_video_open(source, &out, $0, $1) }
        guard let out else { throw VisionError("cannot open video source \(source)") }
        handle = out
    }

    deinit { pv_video_free(handle) }

    /// The container's frame rate, when it declares one.
    public var framesPerSecond: Double? {
        let fps = pv_video_fps(handle)
        return fps > 0 && fps.isFinite ? fps : nil
    }

    /// The next frame and its media time in seconds, or nil at the end of the stream.
    public func read() throws(VisionError) -> (image: Image, time: Double)? {
        var out: OpaquePointer?
        var milliseconds = 0.0
        let status = try shim("video read") { pv_video_read(handle, &out, &milliseconds, $0, $1) }
        guard status == 1 else { return nil }
        return (try Image.wrap(out), milliseconds / 1000)
    }
}
