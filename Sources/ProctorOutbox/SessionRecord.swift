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
    /// The monitor process that runs the session (``ProcessIdentity`` token); nil for old sessions.
    public var owner: String?
    /// The last analysed frame's media time and the wall time it was recorded (the heartbeat).
    public var heartbeatMedia: Double?
    public var heartbeatAt: Date?
    /// True when the monitor died without closing the session and a later run closed it at its
    /// last heartbeat.
    public var endedAbnormally: Bool = false

    public var isOpen: Bool { endedAt == nil }

    /// Whether the process that runs this open session is gone (its episodes can never close on their own).
    public var ownerIsGone: Bool {
        guard isOpen, let owner, let identity = ProcessIdentity(token: owner) else { return false }
        return !identity.isAlive
    }
}
