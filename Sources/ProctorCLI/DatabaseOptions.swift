import ArgumentParser
import Foundation

/// `--database-url`, defaulting to `$PROCTOR_DATABASE_URL`: the service's PostgreSQL database, said
/// once for every command that reads or writes it.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The service's PostgreSQL URL (default: $PROCTOR_DATABASE_URL).")
    var databaseURL: String?

    /// The variable's value; an empty one counts as unset.
    static var fromEnvironment: String? {
        ProcessInfo.processInfo.environment["PROCTOR_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The flag, else the variable.
    var url: String? { databaseURL ?? Self.fromEnvironment }

    /// The URL, or a usage error naming both ways to give it.
    func required() throws -> String {
        guard let url else { throw ValidationError("give --database-url URL (or set PROCTOR_DATABASE_URL)") }
        return url
    }
}
