import Foundation
import ProctorImaging

#if canImport(Glibc)
import Glibc
#endif

/// A video file or network stream read through OpenCV.
///
/// Files replay on their own media time. Network streams are live: a dropped connection is
/// reported as lost, so the sampler reconnects.
public final class VideoFileSource: FrameSource {
    public let source: String
    public let isLive: Bool
    /// The container's frame rate once open (nil when it does not declare one).
    public private(set) var framesPerSecond: Double?

    private var reader: VideoReader?
    private var pending: Image?
    private var frameIndex = 0
    private var lastTime = -Double.infinity

    /// `live` defaults to true for network URLs (rtsp://, http://...), false for files.
    public init(_ source: String, live: Bool? = nil) {
        self.source = source
        shown = Self.withoutCredentials(source)
        isLive = live ?? Self.isNetworkURL(source)
    }

    /// The source as logs and messages show it: an IP camera's `rtsp://user:password@host/...` without
    /// its user and password.
    private let shown: String

    public var description: String { (isLive ? "stream " : "video ") + shown }

    /// `scheme://user:password@host/path` as `scheme://***@host/path`; anything else as it is.
    public static func withoutCredentials(_ source: String) -> String {
        guard source.contains("://"), var parts = URLComponents(string: source), parts.user != nil || parts.password != nil,
            let scheme = parts.scheme
        else { return source }
        parts.user = nil
        parts.password = nil
        guard let clean = parts.string else { return "\(scheme)://***" }
        return clean.replacingOccurrences(of: "\(scheme)://", with: "\(scheme)://***@")
    }

    public func open() throws(CaptureError) {
        close()
        if !Self.isNetworkURL(source), !source.contains("%") {
            // OpenCV only says "cannot open"; the file system says why. ("%d" names an image sequence.)
            if access(source, F_OK) != 0 { throw CaptureError(.notFound, "no such video file: \(source)") }
            if access(source, R_OK) != 0 { throw CaptureError(.permissionDenied, "permission denied reading \(source)") }
            // OpenCV's open() on a FIFO or device blocks until a writer appears: regular files only.
            var info = stat()
            if stat(source, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
                throw CaptureError(.unsupported, "not a regular file: \(source)")
            }
        }
        do {
            let reader = try VideoReader(source: source)
            framesPerSecond = reader.framesPerSecond
            self.reader = reader
        } catch {
            throw CaptureError(.unsupported, error.message.replacingOccurrences(of: source, with: shown))
        }
    }

    public func grab(until stopped: () -> Bool) throws(CaptureError) -> Double? {
        guard let reader else { throw CaptureError(.failed, "\(description) is not open") }
        pending = nil
        if stopped() { return nil }
        let next: (image: Image, time: Double)?
        do {
            next = try reader.read()
        } catch {
            throw CaptureError(isLive ? .lost : .corruptFrame, "\(description): \(error.message.replacingOccurrences(of: source, with: shown))")
        }
        guard let next else {
            if isLive { throw CaptureError(.lost, "\(description) ended") }
            return nil
        }
        pending = next.image
        frameIndex += 1
        if isLive { return MonotonicClock.now }
        // Some containers report no position: fall back to the frame index at the declared rate.
        var time = next.time
        if !(time > lastTime) { time = Double(frameIndex - 1) / (framesPerSecond ?? 25) }
        lastTime = time
        return time
    }

    public func retrieve() throws(CaptureError) -> Image {
        guard let pending else { throw CaptureError(.failed, "\(description): no frame grabbed") }
        return pending
    }

    public func close() {
        reader = nil
        pending = nil
        frameIndex = 0
        lastTime = -.infinity
    }

    static func isNetworkURL(_ source: String) -> Bool {
        guard let range = source.range(of: "://") else { return false }
        return source[..<range.lowerBound].lowercased() != "file"
    }
}
