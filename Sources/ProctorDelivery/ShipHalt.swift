/// Why a delivery run ended before everything deliverable went out. Typed, so a caller picks the exit
/// status and the retry policy from the kind, never from the wording.
public enum ShipHalt: Sendable, Hashable, CustomStringConvertible {
    /// The sink cannot work as configured (a media root it cannot write, a refused token, a wrong
    /// schema): retrying does not help until an operator acts.
    case sinkUnusable(String)
    /// The outbox could not be read or written (still locked after the retries, an I/O error, a full
    /// disk): the local store's trouble, not a configuration error.
    case outbox(String)
    /// Asked to stop (the monitor's shutdown) before the run was done.
    case stopped

    public var description: String {
        switch self {
        case .sinkUnusable(let reason): reason
        case .outbox(let reason): "outbox: " + reason
        case .stopped: "stopped"
        }
    }
}
