import Foundation

/// Parses `--since` / `--until` values (reanalysis, database reports): an ISO 8601 date (`2024-05-01`, midnight UTC) or timestamp
/// (`2024-05-01T12:30:00Z`, `2024-05-01T12:30:00+02:00`, `2024-05-01 12:30`, fractional seconds allowed; UTC when no zone).
enum TimestampArgument {
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
        var candidates = [trimmed]
        if !trimmed.contains("T") { candidates.append(trimmed + "T00:00:00Z") }
        if let tIndex = trimmed.firstIndex(of: "T") {
            let time = trimmed[tIndex...]
            let hasZone = time.hasSuffix("Z") || time.contains("+") || time.dropFirst().contains("-")
            if !hasZone { candidates.append(trimmed + "Z") }
            if time.count == 6 { candidates.append(trimmed + ":00" + (hasZone ? "" : "Z")) }  // THH:MM
        }
        for candidate in candidates {
            for fractional in [false, true] {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
                if let date = formatter.date(from: candidate) { return date }
            }
        }
        return nil
    }
}
