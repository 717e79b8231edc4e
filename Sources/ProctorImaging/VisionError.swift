import CVShim
import Foundation

/// A failure inside the vision layer, with a one-line message fit for a user.
public struct VisionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed. Only a bad input says something about the image; the other two say the worker is
    /// broken, and the same image may well succeed elsewhere or later.
    public enum Kind: String, Sendable, Hashable {
        /// The input: missing, unreadable, not an image, too large, truncated.
        case badInput = "bad_input"
        /// A model or native library the analysis needs cannot be found or loaded.
        case modelUnavailable = "model_unavailable"
        /// The machinery failed on an input it had accepted (inference on a decoded frame).
        case engineFailure = "engine_failure"
    }

    public var message: String
    public var kind: Kind

    public init(_ message: String, kind: Kind = .badInput) {
        self.message = message
        self.kind = kind
    }

    /// The same error with another kind.
    public func kind(_ kind: Kind) -> VisionError { VisionError(message, kind: kind) }

    /// Whether the worker, not the input, is at fault.
    public var isWorkerFault: Bool { kind != .badInput }

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
    }()

    /// The number of threads OpenCV reports using.
    public static var activeThreads: Int {
        _ = configured
        return Int(pv_num_threads())
    }

    /// Keeps OpenCV's own log messages off stderr (also done on first use).
    public static func quietLogs() { _ = configured }
}
