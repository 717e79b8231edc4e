import ProctorDelivery
import ProctorPostgres

/// Opening the proctoring service's database from a command.
enum ServiceDatabaseConnection {
    /// A connection with a long statement timeout (migrations, summaries, exports), plus the URL with
    /// its password removed for messages. An unreachable server is `Failure.unavailable` (exit 69), a malformed URL `Failure.configuration` (78).
    static func connect(_ url: String) throws -> (connection: PostgresConnection, shown: String) {
        let shown = Redaction.redact(url)
        do {
            return (try PostgresConnection(url: url, statementTimeout: 600_000), shown)
        } catch where error.isConfiguration {
            throw Failure.configuration("\(shown): \(error.description)")
        } catch {
            throw Failure.unavailable("\(shown): \(error.description)")
        }
    }
}
