import Synchronization

/// Something a native decoder said while reading an image that it still decoded or refused, e.g.
/// libpng's "iCCP: known incorrect sRGB profile" or "tEXt: CRC error".
public struct DecoderWarning: Sendable, Hashable {
    /// The library that said it ("libpng").
    public let library: String
    public let message: String
    /// The file being decoded, when the caller named it.
    public let source: String?
}

/// Where decoder warnings go. The libraries would print them on stderr (breaking JSON-lines logs); the
/// shim catches them and this routes them to whoever the process chose: the CLI logs them as structured
/// lines. With no route they are dropped.
public enum DecoderWarnings {
    public typealias Handler = @Sendable (DecoderWarning) -> Void

    private static let handler = Mutex<Handler?>(nil)

    /// Sends every later warning to `newHandler` (nil: drop them).
    public static func route(to newHandler: Handler?) {
        handler.withLock { $0 = newHandler }
    }

    static func report(_ warning: DecoderWarning) {
        let current = handler.withLock { $0 }
        current?(warning)
    }
}
