import Foundation
import ProctorPostgres

/// Streams one pipeline version's findings as CSV or JSON lines, a page at a time (keyset paging on
/// the row id), so memory stays flat however many rows there are.
public struct FindingExporter: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl
    }

    public static let csvHeader =
        "image_id,event_id,source,image,event_type,outcome,agrees,problem,verdicts,analyzed_at,pipeline_version"

    public var format: Format
    public var pageSize = 1000

    public init(format: Format, pageSize: Int = 1000) {
        self.format = format
        self.pageSize = max(1, pageSize)
    }

    /// Calls `write` with chunks of output; only findings with `outcome` when given (e.g. contradicted).
    public func export(
        _ db: PostgresConnection, version: String, outcome: String? = nil, write: (String) -> Void
    ) throws(PostgresError) {
        if format == .csv { write(Self.csvHeader + "\n") }
        var after: Int64 = 0
        while true {
            let rows = try db.execute(
                """
                SELECT id, image_id, event_id, source, image, event_type, outcome, agrees, problem, array_to_string(verdicts, ' '),
                       to_char(analyzed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), pipeline_version, findings::text
                FROM proctor_reanalysis WHERE pipeline_version = $1 AND id > $2 AND ($3::text IS NULL OR outcome = $3::text)
                ORDER BY id LIMIT $4
                """, [version, "\(after)", outcome, "\(pageSize)"]
            ).rows
            guard let last = rows.last?.first.flatMap({ $0 }).flatMap({ Int64($0) }) else { return }
            after = last
            write(rows.map(line).joined())
            if rows.count < pageSize { return }
        }
    }

    private func line(_ row: [String?]) -> String {
        guard row.count == 13 else { return "" }
        switch format {
        case .csv:
            var fields = row[1...11].map { $0 ?? "" }
            fields[6] = row[7].map { $0 == "t" ? "true" : "false" } ?? ""
            return fields.map(Self.csvField).joined(separator: ",") + "\n"
        case .jsonl:
            var object: [String: Any] = [
                "image_id": Int64(row[1] ?? "") ?? 0, "source": row[3] ?? "", "outcome": row[6] ?? "",
                "verdicts": (row[9] ?? "").split(separator: " ").map(String.init), "analyzed_at": row[10] ?? "",
                "pipeline_version": row[11] ?? "",
            ]
            object["event_id"] = row[2].flatMap { Int64($0) } ?? NSNull()
            object["image"] = row[4] ?? NSNull()
            object["event_type"] = row[5] ?? NSNull()
            object["agrees"] = row[7].map { $0 == "t" } ?? NSNull()
            object["problem"] = row[8] ?? NSNull()
            object["findings"] = row[12].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? NSNull()
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it.
    static func csvField(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
