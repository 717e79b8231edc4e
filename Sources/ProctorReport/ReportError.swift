/// Why a report could not be produced, as one line for the operator.
public enum ReportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The source holds no such session (or no session at all).
    case sessionNotFound(String)
    /// The source could not be read.
    case source(String)
    /// The source's server could not be reached (the service's database is down or refuses us).
    case unreachable(String)
    /// An evidence image or the page could not be encoded.
    case rendering(String)

    public var description: String {
        switch self {
        case .sessionNotFound(let message), .source(let message), .unreachable(let message),
            .rendering(let message): message
        }
    }
}
