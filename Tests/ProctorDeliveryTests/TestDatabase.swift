import Foundation

#if canImport(Glibc)
import Glibc
#endif
import ProctorDelivery
import ProctorTestSupport

/// A fresh database on the test PostgreSQL server (from scripts/with-postgres), with the service's
/// schema loaded; dropped again when released.
final class TestDatabase: @unchecked Sendable {
    static let missingServer =
        "PROCTOR_TEST_DATABASE_URL is not set: the Postgres tests need the real server that scripts/test starts "
        + "(run scripts/test, or scripts/with-postgres swift test ...)"

    let name: String
    let url: String
    private let adminURL: String

    init() throws {
        guard let admin = ProcessInfo.processInfo.environment["PROCTOR_TEST_DATABASE_URL"], !admin.isEmpty else {
            throw TestDatabaseError(Self.missingServer)
        }
        adminURL = admin
        name = "proctor_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        guard var parts = URLComponents(string: admin) else { throw TestDatabaseError("bad PROCTOR_TEST_DATABASE_URL") }
        parts.path = "/\(name)"
        guard let own = parts.string else { throw TestDatabaseError("bad PROCTOR_TEST_DATABASE_URL") }
        url = own
        let connection = try PostgresConnection(url: admin)
        defer { connection.close() }
        try connection.execute("CREATE DATABASE \(name)")
        let schema = try String(
            contentsOf: TestAssets.packageRoot.appendingPathComponent("fixtures/proctoring-schema.sql"), encoding: .utf8)
        let db = try PostgresConnection(url: url)
        defer { db.close() }
        try db.executeScript(schema)
    }

    deinit {
        if let connection = try? PostgresConnection(url: adminURL) {
            _ = try? connection.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            connection.close()
        }
    }

    /// Runs one query on a short-lived connection.
    func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        let db = try PostgresConnection(url: url)
        defer { db.close() }
        return try db.execute(sql, parameters).rows
    }

    func count(_ sql: String) throws -> Int { Int(try query(sql).first?.first.flatMap { $0 } ?? "") ?? -1 }

    /// How many events reference each episode's image; exactly-once means all ones.
    func eventsPerEpisode() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try query(
            "SELECT i.image, count(DISTINCT e.id) FROM proctoring_cheatingimage i JOIN proctoring_cheatingevent e ON e.id = i.event_id GROUP BY i.image")
        {
            if let image = row[0], let count = row[1].flatMap({ Int($0) }) { result[image] = count }
        }
        return result
    }

    /// Restarts the whole server with pg_ctl (fast shutdown: open connections are cut).
    static func restartServer() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let pgctl = environment["PROCTOR_TEST_PGCTL"], let log = environment["PROCTOR_TEST_PGLOG"] else {
            throw TestDatabaseError("PROCTOR_TEST_PGCTL is not set: run via scripts/with-postgres")
        }
        let status = shell("\(pgctl) restart -m fast -w -t 30 -l \(log) >/dev/null 2>&1")
        guard status == 0 else { throw TestDatabaseError("pg_ctl restart failed with status \(status)") }
    }

    /// Runs a shell command and waits for it with waitpid: Foundation's Process sometimes never
    /// notices pg_ctl's exit (its daemonised server outlives it), which hung the test.
    private static func shell(_ command: String) -> Int32 {
        var pid: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { $0.withCString { strdup($0) } } + [nil]
        defer { arguments.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, arguments, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}

struct TestDatabaseError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
