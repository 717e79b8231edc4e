import Foundation
import ProctorDelivery
import ProctorTestSupport

/// A fresh database on the test PostgreSQL server (scripts/with-postgres) holding the service's schema
/// and the project's migrated tables; dropped when released.
final class ServiceDatabase: @unchecked Sendable {
    static let missingServer =
        "PROCTOR_TEST_DATABASE_URL is not set: the reanalysis tests need the real PostgreSQL that scripts/test starts "
        + "(run scripts/test, or scripts/with-postgres swift test --filter ProctorReanalysisTests)"

    let url: String
    private let name: String
    private let adminURL: String

    init() throws {
        guard let admin = ProcessInfo.processInfo.environment["PROCTOR_TEST_DATABASE_URL"], !admin.isEmpty else {
            throw FixtureError(Self.missingServer)
        }
        adminURL = admin
        name = "proctor_reanalysis_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        guard var parts = URLComponents(string: admin) else { throw FixtureError("bad PROCTOR_TEST_DATABASE_URL") }
        parts.path = "/\(name)"
        guard let own = parts.string else { throw FixtureError("bad PROCTOR_TEST_DATABASE_URL") }
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

    func connect() throws -> PostgresConnection { try PostgresConnection(url: url, statementTimeout: 120_000) }

    func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        let db = try connect()
        defer { db.close() }
        return try db.execute(sql, parameters).rows
    }

    func count(_ sql: String, _ parameters: [String?] = []) throws -> Int {
        Int(try query(sql, parameters).first?.first.flatMap { $0 } ?? "") ?? -1
    }

    /// A digest of every service table's contents, to prove reanalysis never alters them.
    func serviceTablesDigest() throws -> String {
        try ["proctoring_student", "proctoring_exam", "proctoring_cheatingevent", "proctoring_cheatingimage", "proctoring_cheatingaudio"]
            .map { table in
                try query("SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \(table) t")
                    .first?.first.flatMap { $0 } ?? ""
            }.joined(separator: ",")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
