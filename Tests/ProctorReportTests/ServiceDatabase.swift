import Foundation
import ProctorDatabaseTestSupport
import ProctorPostgres
import ProctorTestSupport

/// Rows as the proctoring service writes them, for the database report tests.
extension ServiceDatabase {
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

