import Foundation
import ProctorPostgres

/// Per stored event type, how many images the pipeline version confirms, contradicts or cannot judge.
public struct ReanalysisSummary: Sendable, Hashable, Codable {
    public struct Row: Sendable, Hashable, Codable {
        /// The stored event type; `(event deleted)` when the image's event is gone.
        public var eventType: String
        public var confirmed: Int
        public var contradicted: Int
        public var unjudged: Int
        public var total: Int { confirmed + contradicted + unjudged }
    }

    public var pipelineVersion: String
    public var rows: [Row]
    /// Unjudged images by reason (missing_file, unreadable, event_deleted, ...).
    public var problems: [String: Int]
    /// Stored events whose images' main face was compared with the student's registration photo, and
    /// how many of them show someone other than the registered student.
    public var identityCompared = 0
    public var differentPerson = 0

    public static let deletedEvent = "(event deleted)"

    /// Reads the summary of one pipeline version from `proctor_reanalysis`.
    public static func load(_ db: PostgresConnection, version: String) throws(PostgresError) -> ReanalysisSummary {
        let rows = try db.execute(
            """
            SELECT coalesce(event_type, $2), count(*) FILTER (WHERE outcome = 'confirmed'),
                   count(*) FILTER (WHERE outcome = 'contradicted'), count(*) FILTER (WHERE outcome = 'unjudged')
            FROM proctor_reanalysis WHERE pipeline_version = $1 GROUP BY 1 ORDER BY 1
            """, [version, deletedEvent]
        ).rows.compactMap { row -> Row? in
            guard row.count == 4, let type = row[0] else { return nil }
            return Row(eventType: type, confirmed: Int(row[1] ?? "") ?? 0, contradicted: Int(row[2] ?? "") ?? 0, unjudged: Int(row[3] ?? "") ?? 0)
        }
        var problems: [String: Int] = [:]
        for row in try db.execute(
            "SELECT problem, count(*) FROM proctor_reanalysis WHERE pipeline_version = $1 AND problem IS NOT NULL GROUP BY 1", [version]
        ).rows {
            if row.count == 2, let problem = row[0] { problems[problem] = Int(row[1] ?? "") ?? 0 }
        }
        var summary = ReanalysisSummary(pipelineVersion: version, rows: rows, problems: problems)
        // Per event: one image showing someone else is enough to make the event show someone else.
        let identity = try db.execute(
            """
            SELECT count(DISTINCT coalesce(event_id, -image_id)) FILTER (WHERE identity_match IS NOT NULL),
                   count(DISTINCT coalesce(event_id, -image_id)) FILTER (WHERE identity_match = false)
            FROM proctor_reanalysis WHERE pipeline_version = $1 AND source = 'cheatingimage'
            """, [version]
        ).rows.first
        summary.identityCompared = Int(identity?.first.flatMap { $0 } ?? "") ?? 0
        summary.differentPerson = Int((identity?.count ?? 0) > 1 ? identity?[1] ?? "" : "") ?? 0
        return summary
    }

    public func row(_ eventType: String) -> Row? { rows.first { $0.eventType == eventType } }

    /// A table for people.
    public func text() -> String {
        var lines = ["pipeline \(pipelineVersion)"]
        guard !rows.isEmpty else { return (lines + ["no findings"]).joined(separator: "\n") + "\n" }
        let width = max(18, (rows.map(\.eventType.count).max() ?? 0) + 2)
        func pad(_ text: String, _ count: Int) -> String { text + String(repeating: " ", count: max(1, count - text.count)) }
        func number(_ value: Int) -> String { String(repeating: " ", count: max(0, 12 - "\(value)".count)) + "\(value)" }
        lines.append(pad("EVENT TYPE", width) + "   CONFIRMED CONTRADICTED   UNJUDGED      TOTAL")
        for row in rows {
            lines.append(pad(row.eventType, width) + number(row.confirmed) + number(row.contradicted) + number(row.unjudged) + number(row.total))
        }
        let all = rows.reduce(into: (0, 0, 0)) { $0.0 += $1.confirmed; $0.1 += $1.contradicted; $0.2 += $1.unjudged }
        lines.append(pad("all", width) + number(all.0) + number(all.1) + number(all.2) + number(all.0 + all.1 + all.2))
        lines.append(
            identityCompared == 0
                ? "identity: no stored event compared with a registration photo"
                : "identity: \(differentPerson) of \(identityCompared) stored events compared show someone other than the registered student")
        if !problems.isEmpty {
            lines.append("unjudged: " + problems.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
