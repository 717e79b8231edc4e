#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A reference to the frame that best shows an episode.
///
/// Core cannot encode images, so evidence is the frame's identity plus what the pipeline saw in it;
/// the caller resolves `sequence`/`time` against the frames it kept and encodes the JPEG and the
/// annotated thumbnail itself.
public struct EvidenceFrame: Sendable, Hashable, Codable {
    /// The 0-based index of the `observe` call that delivered the frame.
    public var sequence: Int
    /// The frame's media time in seconds from session start.
    public var time: Double
    /// The rule's confidence for this frame, the value the frame was chosen by.
    public var confidence: Double
    /// What the pipeline saw in the frame, for annotating the thumbnail.
    public var analysis: FrameAnalysis

    public init(sequence: Int, time: Double, confidence: Double, analysis: FrameAnalysis) {
        self.sequence = sequence
        self.time = time
        self.confidence = confidence
        self.analysis = analysis
    }
}

/// A stretch of media time during which one rule's condition held.
///
/// Times are media seconds from session start. `start` is the first observation at which the
/// condition held; `lastSeen` is the latest one, and becomes `end` when the episode closes, so the
/// closing hysteresis never inflates an episode's duration.
public struct Episode: Sendable, Hashable, Codable, Identifiable {
    public var id: UUID
    public var type: EpisodeType
    public var severity: EpisodeSeverity
    public var start: Double
    /// The latest media time at which the condition held.
    public var lastSeen: Double
    /// Set when the episode closes; always equal to `lastSeen` then.
    public var end: Double?
    /// The highest per-frame confidence seen (a phone's score, 1 for an absent face, how far past the
    /// looking-away threshold the head turned, ...).
    public var peakConfidence: Double
    /// How many analysed frames showed the condition (0 for `camera_lost`, which has no frames).
    public var framesSeen: Int
    /// Detector labels involved, e.g. "cell phone", "person", "face".
    public var labels: Set<String>
    /// The frame with the highest confidence (the earliest on ties); nil for `camera_lost`.
    public var evidence: EvidenceFrame?

    public init(
        id: UUID, type: EpisodeType, severity: EpisodeSeverity, start: Double, lastSeen: Double,
        end: Double? = nil, peakConfidence: Double, framesSeen: Int, labels: Set<String> = [],
        evidence: EvidenceFrame? = nil
    ) {
        self.id = id
        self.type = type
        self.severity = severity
        self.start = start
        self.lastSeen = lastSeen
        self.end = end
        self.peakConfidence = peakConfidence
        self.framesSeen = framesSeen
        self.labels = labels
        self.evidence = evidence
    }

    public var isOpen: Bool { end == nil }

    /// Seconds from start to the latest time the condition held.
    public var duration: Double { (end ?? lastSeen) - start }
}

/// One thing the caller must persist: an episode opened, changed materially, or closed.
public enum EpisodeChange: Sendable, Hashable {
    case opened(Episode)
    /// Severity escalated or clearly better evidence arrived.
    case updated(Episode)
    case closed(Episode)

    /// The episode as it stands after the change.
    public var episode: Episode {
        switch self {
        case .opened(let episode), .updated(let episode), .closed(let episode): episode
        }
    }
}
