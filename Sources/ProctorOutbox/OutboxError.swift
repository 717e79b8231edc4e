import Foundation

/// Why an outbox operation failed; every case reads as one line.
public enum OutboxError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    /// The file is not an outbox (another file, another program's database): it was left untouched.
    case notAnOutbox(path: String, reason: String)
    /// The outbox's schema is older than this program's and the file cannot be upgraded here.
    case schemaTooOld(found: Int, supported: Int)
    case sqlite(operation: String, code: Int32, message: String)
    /// The outbox was closed; open a new one on the same path.
    case closed
    case sessionNotFound(String)
    case sessionAlreadyClosed(String)
    case episodeNotFound(UUID)
    /// The request contradicts what is stored (e.g. an episode id reused by another session).
    case conflict(String)
    case invalidArgument(String)
    /// The file was written by a newer version of this program.
    case schemaTooNew(found: Int, supported: Int)
    /// A stored value could not be read back (unknown enum value, malformed JSON).
    case corruptRow(String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open outbox \(path): \(reason)"
        case .notAnOutbox(let path, let reason): "\(path) is not a proctor outbox (\(reason)); it was left untouched"
        case .schemaTooOld(let found, let supported):
            "outbox schema version \(found) is older than this program's (\(supported)) and the file is read-only"
        case .sqlite(let operation, let code, let message): "outbox \(operation) failed: \(message) (sqlite \(code))"
        case .closed: "outbox is closed"
        case .sessionNotFound(let id): "outbox has no session \(id)"
        case .sessionAlreadyClosed(let id): "outbox session \(id) is already closed"
        case .episodeNotFound(let id): "outbox has no episode \(id.uuidString.lowercased())"
        case .conflict(let message): "outbox conflict: \(message)"
        case .invalidArgument(let message): "invalid outbox argument: \(message)"
        case .schemaTooNew(let found, let supported):
            "outbox schema version \(found) is newer than this program supports (\(supported))"
        case .corruptRow(let message): "outbox row unreadable: \(message)"
        }
    }
}
