/// Why a delivery attempt did not succeed, sorted by what the shipper must do about it.
public enum DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Worth retrying later (5xx, 429, timeouts, a connection lost mid-request, a restarting database).
    /// The service may have recorded the episode before failing: the outcome is unknown.
    case transient(String)
    /// The service could not be reached at all (connection refused, host not found, network down):
    /// nothing was sent, and it is retried like ``transient(_:)``.
    case unreachable(String)
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
        case .transient(let message), .unreachable(let message), .permanent(let message), .unusable(let message),
            .throttled(let message, _):
            message
        }
    }

    /// The same failure with every occurrence of `secret` (an API token) in its text replaced by `***`.
    public func masking(_ secret: String?) -> DeliveryFailure {
        guard let secret, !secret.isEmpty else { return self }
        func mask(_ text: String) -> String { text.replacingOccurrences(of: secret, with: "***") }
        switch self {
        case .transient(let message): return .transient(mask(message))
        case .unreachable(let message): return .unreachable(mask(message))
        case .permanent(let message): return .permanent(mask(message))
        case .unusable(let message): return .unusable(mask(message))
        case .throttled(let message, let seconds): return .throttled(mask(message), retryAfter: seconds)
        }
    }

    /// Whether the service certainly did not record the episode: it answered with a refusal, or was
    /// never reached. After a ``transient(_:)`` failure (a timeout, a 5xx) it may have.
    public var serviceDidNotRecord: Bool {
        if case .transient = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .transient(let message), .unreachable(let message): "transient: \(message)"
        case .permanent(let message): "rejected: \(message)"
        case .unusable(let message): "sink unusable: \(message)"
        case .throttled(let message, let seconds): "transient: \(message) (retry after \(Int(seconds)) s)"
        }
    }
}
