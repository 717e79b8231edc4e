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
}
