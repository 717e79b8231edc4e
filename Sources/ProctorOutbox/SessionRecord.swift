import Foundation

/// One proctoring session as stored in the outbox.
public struct SessionRecord: Sendable, Hashable, Codable {
    public var id: String
    public var studentID: String
    public var examID: String
    /// Wall-clock time of media time 0; episode timestamps are derived from it.
    public var startedAt: Date
    public var endedAt: Date?
    public var framesAnalyzed: Int?
    public var secondsWithFace: Double?
    /// The effective configuration the session ran with, for audits.
    public var configJSON: String?
    public var updatedAt: Date

    public var isOpen: Bool { endedAt == nil }
}
