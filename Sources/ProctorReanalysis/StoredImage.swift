/// One claimed queue entry with what the service's tables say about it.
public struct StoredImage: Sendable, Hashable {
    /// Where the image row lives: `cheatingimage` (proctoring_cheatingimage) or `student` (proctoring_student.photo).
    public enum Source: String, Sendable, Hashable, Codable {
        case cheatingImage = "cheatingimage"
        case studentPhoto = "student"
    }

    public var source: Source
    /// The row's id in its table.
    public var imageID: Int64
    public var eventID: Int64?
    /// The stored file name relative to the media root (`cheating_images/x.jpg`); nil when the row is gone.
    public var relativePath: String?
    /// The stored event type; nil when the event was deleted. Student photos carry ``AgreementPolicy/studentPhoto``.
    public var eventType: String?
    /// Whether the event row still exists (always true for student photos).
    public var eventExists: Bool
    /// The event's `detected_objects` (what tells `object_detected` events apart).
    public var detectedObjects: [String]
    /// The event's student's registration photo (stored name under the media root), for the identity check.
    public var studentPhoto: String?

    public init(
        source: Source, imageID: Int64, eventID: Int64?, relativePath: String?, eventType: String?, eventExists: Bool,
        detectedObjects: [String] = [], studentPhoto: String? = nil
    ) {
        self.detectedObjects = detectedObjects
        self.studentPhoto = studentPhoto
        self.source = source
        self.imageID = imageID
        self.eventID = eventID
        self.relativePath = relativePath
        self.eventType = eventType
        self.eventExists = eventExists
    }
}
