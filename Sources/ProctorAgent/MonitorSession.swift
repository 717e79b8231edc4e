import Foundation
import Logging
import ProctorCapture
import ProctorCore
import ProctorOutbox
import ProctorVision

/// One monitored exam: turns capture events into analysed frames, episodes and outbox records.
///
/// Every episode change is committed to the outbox (with its evidence JPEG and annotated thumbnail)
/// before `handle` returns, so nothing the engine reported is lost if the process dies afterwards.
/// Not thread-safe: drive it from one task.
public final class MonitorSession {
    /// Who and what is being monitored.
    public struct Identity: Sendable, Hashable {
        public var sessionID: String
        public var studentID: String
        public var examID: String?

        public init(sessionID: String = UUID().uuidString.lowercased(), studentID: String, examID: String? = nil) {
            self.sessionID = sessionID
            self.studentID = studentID
            self.examID = examID
        }
    }

    /// Running totals, for the status line and the session record.
    public struct Statistics: Sendable, Hashable {
        public var framesAnalyzed = 0
        public var secondsWithFace = 0.0
        public var lastFaceCount = 0
        public var openEpisodes = 0
        public var episodesOpened = 0
        public var mediaTime = 0.0
        public var analysisMilliseconds = 0.0
    }

    public let identity: Identity
    public let settings: MonitorSettings
    public private(set) var statistics = Statistics()
    private let pipeline: VisionPipeline
    private let outbox: Outbox
    private let logger: Logger
    private let detectsFrozenFrames: Bool
    private var engine: EpisodeEngine
    private var evidence: EvidenceBuffer
    private var observed = 0
    private var lastFrameTime: Double?
    private var writtenEvidence: [UUID: Int] = [:]
    private var finished = false

    /// - Parameter live: whether frames come from a live camera or stream; frozen-frame detection only
    ///   makes sense there (a replayed image sequence may repeat an image on purpose).
    public init(
        identity: Identity, settings: MonitorSettings, pipeline: VisionPipeline, outbox: Outbox, live: Bool,
        logger: Logger = Logger(label: "proctor.monitor")
    ) throws {
        self.identity = identity
        self.settings = settings
        self.pipeline = pipeline
        self.outbox = outbox
        self.logger = logger
        detectsFrozenFrames = live
        engine = try EpisodeEngine(rules: settings.rules)
        // Keep enough frames to reach back to the best frame of an episode that is still opening.
        evidence = EvidenceBuffer(capacity: Int(((engine.longestOpenDelay + 2) * settings.fps).rounded(.up)) + 2)
    }

    /// Records the session as started.
    public func start(at date: Date = Date(), configJSON: String? = nil) throws {
        try outbox.openSession(
            id: identity.sessionID, studentID: identity.studentID, examID: identity.examID ?? "", startedAt: date,
            configJSON: configJSON)
    }

    /// Processes one capture event; returns the episode changes it caused (already committed).
    @discardableResult
    public func handle(_ event: CaptureEvent) throws -> [EpisodeChange] {
        guard !finished else { return [] }
        switch event {
        case .frame(let frame):
            return try analyze(frame)
        case .lost(let time, let reason):
            logger.warning("camera lost", metadata: ["time": "\(time)", "reason": "\(reason)"])
            return try commit(engine.cameraLost(time: time))
        case .restored(let time):
            logger.notice("camera restored", metadata: ["time": "\(time)"])
            return try commit(engine.cameraRestored(time: time))
        case .ended, .failed:
            return []
        }
    }

    /// Closes open episodes at `time` (default: the last frame's time) and the session record.
    @discardableResult
    public func finish(at time: Double? = nil, endedAt: Date = Date()) throws -> [EpisodeChange] {
        guard !finished else { return [] }
        finished = true
        let changes = try commit(engine.finish(time: time ?? statistics.mediaTime))
        try outbox.closeSession(
            id: identity.sessionID, endedAt: endedAt, framesAnalyzed: statistics.framesAnalyzed,
            secondsWithFace: statistics.secondsWithFace)
        return changes
    }

    private func analyze(_ frame: CapturedFrame) throws -> [EpisodeChange] {
        let watch = DispatchTime.now().uptimeNanoseconds
        let analysis: FrameAnalysis
        do {
            analysis = try pipeline.analyze(frame.image, detectObjects: observed % settings.objectEvery == 0)
        } catch {
            // One bad frame must not end an exam: log it and wait for the next one.
            logger.error("frame analysis failed", metadata: ["time": "\(frame.time)", "error": "\(error)"])
            return []
        }
        let thumbnail = detectsFrozenFrames ? try? frame.image.grayThumbnail() : nil
        let sequence = observed
        observed += 1
        evidence.append(sequence: sequence, image: frame.image)

        let faces = settings.rules.policy.countedFaces(in: analysis).count
        if faces > 0, let previous = lastFrameTime {
            // Credit at most two frame intervals: a stall is not time with a face.
            statistics.secondsWithFace += min(max(0, frame.time - previous), 2 / settings.fps)
        }
        lastFrameTime = frame.time
        statistics.framesAnalyzed += 1
        statistics.lastFaceCount = faces
        statistics.mediaTime = frame.time
        statistics.analysisMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - watch) / 1_000_000
        return try commit(engine.observe(time: frame.time, analysis: analysis, thumbnail: thumbnail))
    }

    private func commit(_ changes: [EpisodeChange]) throws -> [EpisodeChange] {
        for change in changes {
            let episode = change.episode
            var jpeg: Data?
            var thumbnail: Data?
            if let best = episode.evidence, writtenEvidence[episode.id] != best.sequence,
                let image = evidence.image(sequence: best.sequence)
            {
                do {
                    jpeg = Data(try image.jpegData(quality: settings.evidenceQuality))
                    let annotated = try image.annotated(with: best.analysis).fitting(maxSide: settings.thumbnailSide)
                    thumbnail = Data(try annotated.jpegData(quality: 80))
                    writtenEvidence[episode.id] = best.sequence
                } catch {
                    logger.error("evidence encoding failed", metadata: ["episode": "\(episode.id)", "error": "\(error)"])
                }
            }
            _ = try outbox.upsertEpisode(
                sessionID: identity.sessionID, episode: EpisodeRecord(episode, eventType: engine.eventType(for: episode.type)),
                evidenceJPEG: jpeg, thumbnailJPEG: thumbnail)
            switch change {
            case .opened:
                statistics.episodesOpened += 1
                logger.notice(
                    "episode opened",
                    metadata: ["type": "\(episode.type.rawValue)", "severity": "\(episode.severity)", "start": "\(episode.start)"])
            case .closed:
                writtenEvidence[episode.id] = nil
                logger.info(
                    "episode closed",
                    metadata: ["type": "\(episode.type.rawValue)", "start": "\(episode.start)", "end": "\(episode.end ?? episode.lastSeen)"])
            case .updated:
                break
            }
        }
        statistics.openEpisodes = engine.openEpisodes.count
        return changes
    }
}
