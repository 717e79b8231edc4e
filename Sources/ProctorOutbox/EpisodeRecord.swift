import Foundation
import ProctorCore

/// Whether the rules engine still considers an episode running.
public enum EpisodeState: String, Sendable, Hashable, Codable, CaseIterable {
    case open
    case closed
}

/// An episode as the caller hands it to the outbox: what the engine decided, in media time.
public struct EpisodeRecord: Sendable, Hashable, Codable {
    public var id: UUID
    public var type: EpisodeType
    /// The service's `event_type`, 1...50 characters.
    public var eventType: String
    public var severity: EpisodeSeverity
    /// Media seconds from session start.
    public var startMedia: Double
    public var endMedia: Double?
    public var peakConfidence: Double
    public var framesSeen: Int
    public var labels: Set<String>
    public var state: EpisodeState

    public init(
        id: UUID, type: EpisodeType, eventType: String, severity: EpisodeSeverity, startMedia: Double,
        endMedia: Double?, peakConfidence: Double, framesSeen: Int, labels: Set<String>, state: EpisodeState
    ) {
        self.id = id
        self.type = type
        self.eventType = eventType
        self.severity = severity
        self.startMedia = startMedia
        self.endMedia = endMedia
        self.peakConfidence = peakConfidence
        self.framesSeen = framesSeen
        self.labels = labels
        self.state = state
    }

    /// The record of an engine episode, with the `event_type` from the engine's mapping.
    public init(_ episode: Episode, eventType: String) {
        self.init(
            id: episode.id, type: episode.type, eventType: eventType, severity: episode.severity,
            startMedia: episode.start, endMedia: episode.end, peakConfidence: episode.peakConfidence,
            framesSeen: episode.framesSeen, labels: episode.labels, state: episode.isOpen ? .open : .closed)
    }
}

/// Where an episode stands with the delivery sinks.
///
/// `failed` is terminal: the sink rejected the episode for good. A transient failure keeps the
/// episode `pending` (with `attempts`, `lastAttemptAt` and `lastError` for the delivery module's
/// backoff), so pending episodes are exactly the ones still to send.
public enum DeliveryState: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    case delivered
    case failed
}

public struct DeliveryStatus: Sendable, Hashable, Codable {
    public var state: DeliveryState
    public var attempts: Int
    public var lastAttemptAt: Date?
    public var lastError: String?
    /// The sink that accepted the episode, e.g. "http" or "file".
    public var sink: String?
    /// The sink's identifier for the episode, kept across revisions so later ones can update it.
    public var remoteID: String?
    /// The revision the sink last accepted.
    public var deliveredRevision: Int?
    /// The revision a shipper last put on the wire (recorded before sending). Equal to the current
    /// revision without a delivery: that attempt's outcome is unknown (the shipper died or lost the reply).
    public var sentRevision: Int?
}

/// An episode as stored: the caller's record plus wall-clock times, revision and delivery state.
public struct StoredEpisode: Sendable, Hashable, Codable {
    public var sessionID: String
    public var record: EpisodeRecord
    /// Session start plus the media start.
    public var startedAt: Date
    public var endedAt: Date?
    /// 1 on insert, +1 on every upsert; a sink that delivered an older revision must deliver again.
    public var revision: Int
    public var delivery: DeliveryStatus
    public var hasEvidence: Bool
    /// When retention deleted the evidence, if it did.
    public var evidencePurgedAt: Date?
    public var updatedAt: Date

    public var id: UUID { record.id }
}

/// The encoded images of an episode's evidence frame.
public struct EpisodeEvidence: Sendable, Hashable {
    /// The full frame, JPEG.
    public var jpeg: Data?
    /// The annotated thumbnail, JPEG.
    public var thumbnail: Data?
}

/// Evidence that ``Outbox/applyRetention(now:maxAge:)`` deleted, for the caller's log.
public struct RetentionDeletion: Sendable, Hashable {
    public var episodeID: UUID
    public var sessionID: String
    /// JPEG plus thumbnail bytes removed.
    public var bytes: Int
    /// The episode's wall-clock end (its start, if it never closed): what its age was measured from.
    public var episodeEndedAt: Date
}
