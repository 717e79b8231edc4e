import Crypto
import Foundation
import ProctorVision

/// Which stored images a run covers: the filters of `proctor reanalyze`.
///
/// Together with the pipeline version the selection names a work queue (``runKey``): replicas of the
/// same command share one queue, a different selection gets its own.
public struct Selection: Sendable, Hashable {
    /// Images whose event (or, when the event is gone, the image itself) is at or after this instant.
    public var since: Date?
    /// ...and before this instant.
    public var until: Date?
    /// Only events of this stored type.
    public var eventType: String?
    /// Only this student: the service's numeric id or its clerk id.
    public var student: String?
    /// Also the students' reference photos (`proctoring_student.photo`).
    public var includeStudentPhotos = false

    public init(
        since: Date? = nil, until: Date? = nil, eventType: String? = nil, student: String? = nil, includeStudentPhotos: Bool = false
    ) {
        self.since = since
        self.until = until
        self.eventType = eventType
        self.student = student
        self.includeStudentPhotos = includeStudentPhotos
    }

    /// The queue's name for this selection under `version`.
    public func runKey(version: PipelineVersion) -> String {
        let parts = [
            version.value, since.map(Self.timestamp) ?? "", until.map(Self.timestamp) ?? "", eventType ?? "", student ?? "",
            includeStudentPhotos ? "photos" : "",
        ]
        return "\(version.value):\(SHA256.hex(parts.joined(separator: "\u{1F}")).prefix(12))"
    }

    /// The SQL parameters `$2...$5` of the enqueue statements.
    var parameters: [String?] { [since.map(Self.timestamp), until.map(Self.timestamp), eventType, student] }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
