import Foundation

/// Which of a student's events in the service's database make up a session: `[since, until)`.
public struct ReportWindow: Sendable, Hashable {
    /// The student's platform id (`proctoring_student.clerk_id`).
    public var studentID: String
    /// Nil: from the student's earliest event.
    public var since: Date?
    /// Nil: up to now.
    public var until: Date?

    public init(studentID: String, since: Date? = nil, until: Date? = nil) {
        self.studentID = studentID
        self.since = since
        self.until = until
    }

    /// Parses an ISO 8601 date (`2025-05-12`, midnight UTC) or timestamp (`2025-05-12T09:30:00Z`,
    /// `2025-05-12T11:30:00+02:00`, `2025-05-12 09:30`, fractional seconds allowed; UTC when no zone).
    public static func timestamp(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "T")
        guard !trimmed.isEmpty else { return nil }
        var candidates = [trimmed]
        if let tIndex = trimmed.firstIndex(of: "T") {
            let time = trimmed[trimmed.index(after: tIndex)...]
            let hasZone = time.hasSuffix("Z") || time.contains("+") || time.contains("-")
            let withSeconds = time.count == 5 ? trimmed + ":00" : trimmed  // HH:MM
            candidates.append(hasZone ? withSeconds : withSeconds + "Z")
        } else {
            candidates.append(trimmed + "T00:00:00Z")
        }
        for candidate in candidates {
            for options in [ISO8601DateFormatter.Options.withInternetDateTime, [.withInternetDateTime, .withFractionalSeconds]] {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = options
                if let date = formatter.date(from: candidate) { return date }
            }
        }
        return nil
    }
}
