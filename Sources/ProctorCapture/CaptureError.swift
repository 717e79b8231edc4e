#if canImport(Glibc)
import Glibc
#endif

/// A capture failure with a one-line message fit for a user.
public struct CaptureError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The device, file or directory does not exist.
        case notFound
        case permissionDenied
        /// Another program holds the camera.
        case busy
        /// The device or file is not something this source can read (not a camera, no usable format).
        case unsupported
        /// A live source went away mid-run (unplugged, I/O error); reopening may cure it.
        case lost
        /// A live source delivered no frame for too long; reopening may cure it.
        case stalled
        /// One frame could not be decoded.
        case corruptFrame
        /// A setting is out of range.
        case invalidArgument
        /// Anything else.
        case failed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Whether closing and reopening the source may cure the failure.
    public var isTransient: Bool { kind == .lost || kind == .stalled }
}

extension CaptureError {
    /// The text of a C `errno`, e.g. "No such device".
    static func text(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
