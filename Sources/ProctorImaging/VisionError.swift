import CVShim
import Foundation

/// A failure inside the vision layer, with a one-line message fit for a user.
public struct VisionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed: the input (missing, unreadable, not an image, too large) or the machinery (a
    /// model that does not load, OpenCV failing on a frame already decoded). Only the first says
    /// something about the image; the second is worth retrying elsewhere or later.
    public enum Origin: Sendable, Hashable {
        case input
        case pipeline
    }

    public var message: String
    public var origin: Origin

    public init(_ message: String, origin: Origin = .input) {
        self.message = message
        self.origin = origin
    }

    /// The same error, marked as the machinery's.
    public var fromPipeline: VisionError { VisionError(message, origin: .pipeline) }

    public var description: String { message }
}

/// The size of the message buffer handed to every shim call.
private let errorCapacity = 512

/// Calls a shim function that reports failure as -1 plus a message, and throws that message.
///
/// The shim catches every C++ exception, so a failure arrives here as a return code, never as an abort.
@discardableResult
package func shim(_ context: @autoclosure () -> String, _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws(VisionError)
    -> Int32
{
    _ = OpenCVRuntime.configured
    var buffer = [CChar](repeating: 0, count: errorCapacity)
    let status = buffer.withUnsafeMutableBufferPointer { pointer -> Int32 in
        guard let base = pointer.baseAddress else { return -1 }
        return body(base, pointer.count)
    }
    if status < 0 {
        let message = buffer.withUnsafeBufferPointer { pointer in
            String(decoding: pointer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let prefix = context()
        throw VisionError(prefix.isEmpty ? message : "\(prefix): \(message)")
    }
    return status
}

/// Process-wide OpenCV settings.
public enum OpenCVRuntime {
    /// The linked OpenCV version, e.g. "4.6.0".
    public static var version: String { String(cString: pv_opencv_version()) }

    /// The git commit this binary was built from (scripts/package embeds it), or "unknown".
    public static var buildCommit: String { String(cString: pv_build_commit()) }

    /// Threads OpenCV's own parallel loops use: `$PROCTOR_OPENCV_THREADS`, else 1.
    ///
    /// Fixed once, before the first OpenCV call, because changing it while another thread runs a
    /// parallel loop crashes OpenCV's TBB backend. One thread per analysis job keeps `--jobs N` from
    /// oversubscribing the cores and keeps the monitor's footprint on the candidate's machine small.
    public static let threads: Int = {
        let requested = ProcessInfo.processInfo.environment["PROCTOR_OPENCV_THREADS"].flatMap(Int.init) ?? 1
        return max(1, min(requested, 64))
    }()

    /// Applies the settings above exactly once (Swift runs a global's initialiser once, thread-safely).
    static let configured: Void = {
        pv_quiet_logs()
        pv_set_num_threads(Int32(threads))
        // Hidden: lets tests see whether a run loaded OpenCV's imgcodecs/videoio (see pv_report_mapped_io_at_exit).
        if ProcessInfo.processInfo.environment["PROCTOR_DEBUG_MAPS"] == "1" { pv_report_mapped_io_at_exit() }
    }()

    /// The number of threads OpenCV reports using.
    public static var activeThreads: Int {
        _ = configured
        return Int(pv_num_threads())
    }

    /// Keeps OpenCV's own log messages off stderr (also done on first use).
    public static func quietLogs() { _ = configured }
}
