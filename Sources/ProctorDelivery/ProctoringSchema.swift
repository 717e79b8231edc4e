import ProctorPostgres

/// The service's tables and columns the Postgres sink writes, for `proctor doctor`.
public enum ProctoringSchema {
    public static let requiredColumns: [String: [String]] = [
        "proctoring_student": ["id", "clerk_id", "name", "email", "photo", "timestamp"],
        "proctoring_cheatingevent": [
            "id", "student_id", "cheating_flag", "event_type", "timestamp", "detected_objects", "tab_switch_count",
        ],
        "proctoring_cheatingimage": ["id", "event_id", "image", "timestamp"],
    ]

    /// `table.column` names the database lacks; empty when the sink can write.
    public static func missingColumns(in db: PostgresConnection) throws(PostgresError) -> [String] {
        let present = try db.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name LIKE 'proctoring\\_%'
            """
        ).rows.compactMap { row -> String? in
            guard row.count == 2, let table = row[0], let column = row[1] else { return nil }
            return "\(table).\(column)"
        }
        let found = Set(present)
        return requiredColumns.sorted { $0.key < $1.key }.flatMap { table, columns in
            columns.map { "\(table).\($0)" }.filter { !found.contains($0) }
        }
    }
}
