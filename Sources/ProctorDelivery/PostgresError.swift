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

    /// How the shipper should treat this error when delivering.
    ///
    /// Connection trouble, shutdowns, serialization failures and resource exhaustion pass; bad data
    /// (class 22) and constraint violations (23) will fail the same way every time; a missing table or
    /// column (42), refused credentials (28) or a missing database (3D) are the deployment's to fix.
    public var deliveryFailure: DeliveryFailure {
        let text = "postgres: \(description)"
        if isConfiguration { return .unusable(text) }
        guard let state = sqlState, !connectionLost else { return .transient(text) }
        switch state.prefix(2) {
        case "22", "23": return .permanent(text)
        case "42", "28", "3D", "3F": return .unusable(text)
        default: return .transient(text)
        }
    }
}
