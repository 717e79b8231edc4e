/// Why a reanalysis run cannot go on, each kind with its own remedy.
public enum ReanalysisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Models, settings or the project's tables are not usable: fix the deployment.
    case configuration(String)
    /// The database or the media root cannot be reached now: try again later.
    case unavailable(String)

    public var description: String {
        switch self {
        case .configuration(let message), .unavailable(let message): message
        }
    }
}
