import Foundation
import ProctorCore

/// A session at a glance: header, credibility, per-type summary, timeline and one entry per episode.
///
/// This value is the `--format json` output; the HTML page is rendered from it and nothing else,
/// so both always tell the same story.
public struct SessionReport: Sendable, Hashable, Codable {
    /// Bumped when a field changes meaning or disappears, for tools that read the JSON.
    public static let formatVersion = 1

    public var formatVersion: Int
    public var generatedAt: Date
    public var session: Header
    public var credibility: Credibility
    /// One row per episode type that occurred, in ``ReportText/typeOrder``.
    public var summary: [TypeSummary]
    /// Stretches without a camera, in media seconds: drawn as gaps in the timeline.
    public var gaps: [TimeRange]
    /// Every episode, by start time.
    public var episodes: [Entry]
    /// What the source could not tell, in sentences for the page's header; nil when it told everything.
    public var notes: [String]?
    /// The registered student's photo, downscaled; present when a `different_person` episode shows it.
    public var reference: Evidence?

    public init(
        generatedAt: Date, session: Header, credibility: Credibility, summary: [TypeSummary], gaps: [TimeRange],
        episodes: [Entry], notes: [String]? = nil
    ) {
        self.formatVersion = Self.formatVersion
        self.generatedAt = generatedAt
        self.session = session
        self.credibility = credibility
        self.summary = summary
        self.gaps = gaps
        self.episodes = episodes
        self.notes = notes
    }

    /// Who, what, when, and how much of it the camera saw.
    public struct Header: Sendable, Hashable, Codable {
        public var id: String
        public var studentID: String
        public var examID: String
        public var startedAt: Date
        /// Nil while the exam is still running.
        public var endedAt: Date?
        /// Media seconds the report covers: to the session's end, or to generation time while it runs.
        public var durationSeconds: Double
        /// ``durationSeconds`` minus camera-lost time.
        public var monitoredSeconds: Double
        public var framesAnalyzed: Int?
        public var secondsWithFace: Double?
        /// secondsWithFace ÷ monitoredSeconds, 0...1; nil when the face time is unknown.
        public var faceVisibleFraction: Double?
        /// True when the source keeps events as points in time, without monitored time, durations or
        /// confidences (the service's database); then ``monitoredSeconds`` is just the session length.
        /// Nil for the monitor's own sessions.
        public var pointEvents: Bool?
        /// When the monitor stopped unexpectedly (its last heartbeat); nil for a session that ended normally.
        public var stoppedUnexpectedlyAt: Date?
        /// Camera or replay; nil when the source did not record it.
        public var source: MonitoredSource?
        /// The device or recording the monitor read.
        public var sourceName: String?
        /// What the monitor ran; nil when the source does not know (the service's database, old sessions).
        public var whatRan: WhatRan? = nil
    }

    /// What one episode type amounted to.
    public struct TypeSummary: Sendable, Hashable, Codable {
        public var type: EpisodeType
        public var count: Int
        public var high: Int
        public var medium: Int
        public var low: Int
        public var totalSeconds: Double
        public var longestSeconds: Double
    }

    /// A stretch of media time.
    public struct TimeRange: Sendable, Hashable, Codable {
        public var start: Double
        public var end: Double

        public init(start: Double, end: Double) {
            self.start = start
            self.end = end
        }
    }

    /// One episode as the reviewer sees it.
    public struct Entry: Sendable, Hashable, Codable, Identifiable {
        public var id: UUID
        public var type: EpisodeType
        public var eventType: String
        public var severity: EpisodeSeverity
        /// Media seconds from session start.
        public var start: Double
        /// The episode's end, or the report's end while it is still open.
        public var end: Double
        public var isOpen: Bool
        public var durationSeconds: Double
        public var confidence: Double
        public var framesSeen: Int
        public var labels: [String]
        /// The downscaled evidence frame; nil when there is none.
        public var evidence: Evidence?
        /// Why there is no evidence frame, for the page; nil when there is one.
        public var evidenceNote: String?
        /// The full frame as captured, downscaled to at most ``ReportBuilder/fullFrameSide`` px; nil when
        /// none was kept or the page's byte budget had no room for it.
        public var fullFrame: Evidence?
        /// Episodes with the same evidence frame (the same moment) share one card: the first of them by
        /// start holds it, the others name it here. Nil when the frame is this episode's alone.
        public var sharesEvidenceWith: UUID?
    }

    /// A downscaled evidence image, embedded as a `data:` URI.
    public struct Evidence: Sendable, Hashable, Codable {
        public var width: Int
        public var height: Int
        public var kind: EvidenceKind
        /// `data:image/jpeg;base64,...`
        public var dataURI: String

        public init(width: Int, height: Int, kind: EvidenceKind, dataURI: String) {
            self.width = width
            self.height = height
            self.kind = kind
            self.dataURI = dataURI
        }
    }
}
