/// A libpq failure: connecting, or a statement the server refused.
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The five-character SQLSTATE when the server sent one; nil for client-side and connection errors.
    public var sqlState: String?
    /// libpq's message on one line, with anything that could be part of the connection string
    /// removed (libpq quotes the offending token of a malformed URL, password included).
    public var message: String
    /// True when the connection is gone and must be reopened.
    public var connectionLost: Bool
    /// True when the connection string itself is unusable (malformed URL, unknown option): the
    /// deployment's to fix, never worth a retry.
    public var isConfiguration: Bool

    public init(sqlState: String?, message: String, connectionLost: Bool, isConfiguration: Bool = false) {
        self.sqlState = sqlState
        self.message = message
        self.connectionLost = connectionLost
        self.isConfiguration = isConfiguration
    }

    public var description: String { sqlState.map { "\(message) (SQLSTATE \($0))" } ?? message }

    /// What an error says about the deployment, the data or the moment: the one reading of SQLSTATE
    /// classes that delivery and reanalysis share.
    public enum Kind: Sendable, Hashable {
        /// The deployment's to fix, never worth a retry: an unusable connection string, a missing table
        /// or column (42), refused credentials (28), a missing database (3D) or schema (3F).
        case configuration
        /// This statement's data will fail the same way every time: bad data (22), a constraint (23).
        case rejectedData
        /// Worth retrying: connection trouble, shutdowns, serialization failures, resource exhaustion.
        case transient
    }

    public var kind: Kind {
        if isConfiguration { return .configuration }
        guard let state = sqlState, !connectionLost else { return .transient }
        switch state.prefix(2) {
        case "22", "23": return .rejectedData
        case "42", "28", "3D", "3F": return .configuration
        default: return .transient
        }
    }
}
