import Foundation
import ProctorDelivery
import ProctorTestSupport

/// A fresh database with the service's schema on the test server from scripts/with-postgres; dropped when released.
final class ServiceDatabase: @unchecked Sendable {
    static let missingServer =
        "PROCTOR_TEST_DATABASE_URL is not set: the database report tests need the real PostgreSQL server that "
        + "scripts/test starts (run scripts/test, or scripts/with-postgres swift test ...)"

    let url: String
    private let name: String
    private let adminURL: String

    init() throws {
        guard let admin = ProcessInfo.processInfo.environment["PROCTOR_TEST_DATABASE_URL"], !admin.isEmpty else {
            throw ServiceDatabaseError(Self.missingServer)
        }
        adminURL = admin
        name = "proctor_report_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        guard var parts = URLComponents(string: admin) else { throw ServiceDatabaseError("bad PROCTOR_TEST_DATABASE_URL") }
        parts.path = "/\(name)"
        guard let own = parts.string else { throw ServiceDatabaseError("bad PROCTOR_TEST_DATABASE_URL") }
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

    /// Runs one statement on a short-lived connection and returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        let db = try PostgresConnection(url: url)
        defer { db.close() }
        return try db.execute(sql, parameters).rows
    }

    /// A student row as the service writes it; returns its id.
    func addStudent(_ clerkID: String) throws -> String {
        let id = try query(
            """
            INSERT INTO proctoring_student (clerk_id, name, email, photo, "timestamp")
            VALUES ($1, 'Student', $2, '', now()) RETURNING id
            """, [clerkID, "\(clerkID)@example.test"]
        ).first?.first ?? nil
        guard let id else { throw ServiceDatabaseError("student insert returned no id") }
        return id
    }

    /// An event with its image rows; returns the event id.
    @discardableResult
    func addEvent(student: String, type: String, at time: Date, objects: String = "[]", images: [String] = [])
        throws -> String
    {
        let id = try query(
            """
            INSERT INTO proctoring_cheatingevent (student_id, cheating_flag, event_type, "timestamp", detected_objects, tab_switch_count)
            VALUES ($1, true, $2, to_timestamp($3::double precision), $4::jsonb, 0) RETURNING id
            """, [student, type, "\(time.timeIntervalSince1970)", objects]
        ).first?.first ?? nil
        guard let id else { throw ServiceDatabaseError("event insert returned no id") }
        for image in images {
            try query(
                "INSERT INTO proctoring_cheatingimage (event_id, image, \"timestamp\") VALUES ($1, $2, now())", [id, image])
        }
        return id
    }

    func addExam(student: String, name: String, at time: Date) throws {
        try query(
            """
            INSERT INTO proctoring_exam (student_id, exam_name, "timestamp", status)
            VALUES ($1, $2, to_timestamp($3::double precision), 'completed')
            """, [student, name, "\(time.timeIntervalSince1970)"])
    }
}

struct ServiceDatabaseError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
