/// Why a delivery attempt did not succeed, sorted by what the shipper must do about it.
public enum DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Worth retrying later (5xx, 429, timeouts, connection errors, a restarting database).
    case transient(String)
    /// The sink rejected this episode for good (400, 405, bad data); it is marked `failed`.
    case permanent(String)
    /// The sink cannot take anything right now because of local setup (media root not writable,
    /// schema missing, credentials refused). Nothing is marked; the whole pass stops.
    case unusable(String)
    /// The service asked to be left alone for `retryAfter` seconds (429/503 with `Retry-After`);
    /// transient, and the session waits at least that long.
    case throttled(String, retryAfter: Double)

    public var message: String {
        switch self {
        case .transient(let message), .permanent(let message), .unusable(let message), .throttled(let message, _): message
        }
    }

    public var description: String {
        switch self {
        case .transient(let message): "transient: \(message)"
        case .permanent(let message): "rejected: \(message)"
        case .unusable(let message): "sink unusable: \(message)"
        case .throttled(let message, let seconds): "transient: \(message) (retry after \(Int(seconds)) s)"
        }
    }
}
