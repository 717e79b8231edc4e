import Foundation
import ProctorCore

/// A session as a report source hands it over: who, what, when, and how much was seen.
public struct ReportSession: Sendable, Hashable {
    public var id: String
    public var studentID: String
    public var examID: String
    /// Wall-clock time of media time 0.
    public var startedAt: Date
    /// Nil while the exam is still running; the report then ends at its generation time.
    public var endedAt: Date?
    public var framesAnalyzed: Int?
    /// Seconds during which a face was counted; nil when the monitor never reported it.
    public var secondsWithFace: Double?
    /// True when the source keeps only points in time: no monitored time, durations or confidences.
    public var pointEvents: Bool
    /// What the source could not tell, in sentences for the page.
    public var notes: [String]
    /// Set when the monitor died mid-session: the wall time of its last heartbeat, where the session ends.
    public var stoppedUnexpectedlyAt: Date?
    /// Media seconds up to the last analysed frame; nil when the source does not know. A replay runs
    /// faster than the clock, so this, not wall time, is how long the monitor watched.
    public var mediaEnd: Double?
    /// What was watched: a camera, or a replayed recording; nil when the source did not record it.
    public var source: MonitoredSource?
    /// The device or file name the monitor read, as recorded.
    public var sourceName: String?
    /// What the monitor ran (versions, detectors, settings, degradations); nil when the source does not know.
    public var whatRan: WhatRan?

    public init(
        id: String, studentID: String, examID: String, startedAt: Date, endedAt: Date? = nil,
        framesAnalyzed: Int? = nil, secondsWithFace: Double? = nil, pointEvents: Bool = false, notes: [String] = [],
        stoppedUnexpectedlyAt: Date? = nil, whatRan: WhatRan? = nil
    ) {
        self.stoppedUnexpectedlyAt = stoppedUnexpectedlyAt
        self.whatRan = whatRan
        self.id = id
        self.studentID = studentID
        self.examID = examID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.framesAnalyzed = framesAnalyzed
        self.secondsWithFace = secondsWithFace
        self.pointEvents = pointEvents
        self.notes = notes
    }
}

/// What a monitor watched.
public enum MonitoredSource: String, Sendable, Hashable, Codable {
    /// A live camera: media time is wall time.
    case camera
    /// A recording (video file, stream or image folder) replayed after the fact.
    case replay
}

/// Whether an evidence image already shows the detector's boxes.
public enum EvidenceKind: String, Sendable, Hashable, Codable {
    /// The monitor's thumbnail, with faces and objects drawn on it.
    case annotated
    /// The plain frame: the boxes were not kept with it.
    case plain
}

/// One episode as a report source hands it over, with its evidence image if one was kept.
public struct ReportEpisodeInput: Sendable, Hashable {
    public var id: UUID
    public var type: EpisodeType
    /// The service's `event_type` for the episode.
    public var eventType: String
    public var severity: EpisodeSeverity
    /// Media seconds from session start.
    public var start: Double
    /// Nil while the episode is still open.
    public var end: Double?
    public var peakConfidence: Double
    public var framesSeen: Int
    public var labels: Set<String>
    /// Encoded image bytes (JPEG); nil when there was no frame or retention purged it.
    public var evidence: Data?
    public var evidenceKind: EvidenceKind
    /// When retention deleted the evidence, so the page can say why there is no image.
    public var evidencePurgedAt: Date?
    /// Why there is no evidence, when the source knows better than the builder's default wording.
    public var evidenceNote: String?
    /// The full evidence frame as captured (plain JPEG, no boxes), for the page's full-size view.
    public var fullFrame: Data?

    public init(
        id: UUID, type: EpisodeType, eventType: String? = nil, severity: EpisodeSeverity, start: Double, end: Double?,
        peakConfidence: Double, framesSeen: Int, labels: Set<String> = [], evidence: Data? = nil,
        evidenceKind: EvidenceKind = .annotated, evidencePurgedAt: Date? = nil, evidenceNote: String? = nil,
        fullFrame: Data? = nil
    ) {
        self.fullFrame = fullFrame
        self.id = id
        self.type = type
        self.eventType = eventType ?? type.rawValue
        self.severity = severity
        self.start = start
        self.end = end
        self.peakConfidence = peakConfidence
        self.framesSeen = framesSeen
        self.labels = labels
        self.evidence = evidence
        self.evidenceKind = evidenceKind
        self.evidencePurgedAt = evidencePurgedAt
        self.evidenceNote = evidenceNote
    }
}

/// Everything a report is built from.
public struct ReportInput: Sendable, Hashable {
    public var session: ReportSession
    public var episodes: [ReportEpisodeInput]
    /// The registered student's photo (encoded image bytes), shown beside `different_person` evidence.
    public var reference: Data?

    public init(session: ReportSession, episodes: [ReportEpisodeInput], reference: Data? = nil) {
        self.session = session
        self.episodes = episodes
        self.reference = reference
    }
}
