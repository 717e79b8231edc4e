import CVShim

/// A failure inside the vision layer, with a one-line message fit for a user.
public struct VisionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The size of the message buffer handed to every shim call.
private let errorCapacity = 512

/// Calls a shim function that reports failure as -1 plus a message, and throws that message.
///
/// The shim catches every C++ exception, so a failure arrives here as a return code, never as an abort.
@discardableResult
func shim(_ context: @autoclosure () -> String, _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws(VisionError)
    -> Int32
{
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

    /// Sets how many threads OpenCV's own parallel loops use. One per analysis job avoids
    /// oversubscribing the cores when jobs run in parallel.
    public static func setThreads(_ count: Int) { pv_set_num_threads(Int32(clamping: count)) }

    public static var threads: Int { Int(pv_num_threads()) }

    /// Keeps OpenCV's informational logging off the terminal.
    public static func quietLogs() { pv_quiet_logs() }
}
