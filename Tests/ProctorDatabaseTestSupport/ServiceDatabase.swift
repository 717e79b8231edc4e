import Foundation
import ProctorPostgres
import ProctorTestSupport

/// A fresh database with the proctoring service's schema on the test PostgreSQL server that
/// `scripts/with-postgres` starts (`PROCTOR_TEST_DATABASE_URL`); dropped again when released.
public final class ServiceDatabase: @unchecked Sendable {
    /// Why a database test cannot run: said as a failure, never a silent skip.
    public static let missingServer =
        "PROCTOR_TEST_DATABASE_URL is not set: the PostgreSQL tests need the real server that scripts/test starts "
        + "(run scripts/test, or scripts/with-postgres swift test ...)"

    public let name: String
    public let url: String
    private let adminURL: String

    /// Creates the database `<prefix>_<random>` and loads fixtures/proctoring-schema.sql into it.
    public init(prefix: String = "proctor_test") throws {
        guard let admin = ProcessInfo.processInfo.environment["PROCTOR_TEST_DATABASE_URL"], !admin.isEmpty else {
            throw ServiceDatabaseError(Self.missingServer)
        }
        adminURL = admin
        name = "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        guard var parts = URLComponents(string: admin) else { throw ServiceDatabaseError("bad PROCTOR_TEST_DATABASE_URL") }
        parts.path = "/\(name)"
        guard let own = parts.string else { throw ServiceDatabaseError("bad PROCTOR_TEST_DATABASE_URL") }
        url = own
        let connection = try PostgresConnection(url: admin)
        defer { connection.close() }
        try connection.execute("CREATE DATABASE \(name)")
        let schema = try String(
            contentsOf: TestAssets.packageRoot.appendingPathComponent("fixtures/proctoring-schema.sql"), encoding: .utf8)
        let db = try connect()
        defer { db.close() }
        try db.executeScript(schema)
    }

    deinit {
        if let connection = try? PostgresConnection(url: adminURL) {
            _ = try? connection.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            connection.close()
        }
    }

    /// A new connection to this database (long statement timeout: seeding thousands of rows).
    public func connect() throws -> PostgresConnection { try PostgresConnection(url: url, statementTimeout: 120_000) }

    /// Runs one statement on a short-lived connection and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        let db = try connect()
        defer { db.close() }
        return try db.execute(sql, parameters).rows
    }

    /// The first column of the first row as an integer (-1 when absent).
    public func count(_ sql: String, _ parameters: [String?] = []) throws -> Int {
        Int(try query(sql, parameters).first?.first.flatMap { $0 } ?? "") ?? -1
    }
}

/// A test database could not be set up.
public struct ServiceDatabaseError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
