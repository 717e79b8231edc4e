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
/// A heartbeat (last frame's media time, wall time, totals) is recorded at most once a second, so a
/// later run can close the session where it really stopped if this process dies.
///
/// An outbox that is briefly unwritable (another process holds its lock past the busy timeout: a
/// backup, `sqlite3`, a `proctor ship`) does not end the exam: the changes wait in memory and are
/// written on the following frames, with a backoff, and the trouble is logged as an error. Only a
/// fault that lasts ``OutboxRetry/giveUpAfter`` seconds (or one that retrying cannot fix) is thrown.
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
        /// The types of the episodes open now, in opening order (for the live status line).
        public var openEpisodeTypes: [String] = []
        public var episodesOpened = 0
        public var mediaTime = 0.0
        public var analysisMilliseconds = 0.0
        /// Recorded frames passed over because they could not be decoded, and why the first was.
        public var framesSkipped = 0
        public var firstSkipped: String?
    }

    /// How the session rides out an outbox it cannot write to.
    public struct OutboxRetry: Sendable, Hashable {
        /// Seconds of continuous failure after which the fault counts as persistent.
        public var giveUpAfter: Double
        /// Backoff between write attempts: first delay and cap, in seconds.
        public var firstDelay: Double
        public var maxDelay: Double

        public init(giveUpAfter: Double = 120, firstDelay: Double = 0.5, maxDelay: Double = 10) {
            self.giveUpAfter = giveUpAfter
            self.firstDelay = firstDelay
            self.maxDelay = maxDelay
        }
    }

    /// An episode change not written yet, with the evidence to write with it.
    private struct UnsavedChange {
        var record: EpisodeRecord
        var jpeg: Data?
        var thumbnail: Data?
    }

    /// When the outbox started failing, how often, and when to try again.
    private struct OutboxTrouble {
        var since: Date
        var failures: Int
        var retryAt: Date
        var lastError: String
        /// Something was written since the trouble began.
        var wrote = false
    }

    public let identity: Identity
    public let settings: MonitorSettings
    public let outboxRetry: OutboxRetry
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
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Double) -> Void
    private var unsaved: [UUID: UnsavedChange] = [:]
    private var unsavedOrder: [UUID] = []
    private var trouble: OutboxTrouble?
    private var lastHeartbeat: Date?
    private var heartbeatDue = false
    /// Seconds between heartbeats.
    private static let heartbeatInterval = 1.0
    /// Frames that may fail analysis before the first one succeeds (see ``BlindStart``).
    public static let failuresBeforeBlind = 10
    private var blindStart = BlindStart(limit: failuresBeforeBlind)
    /// Set when the session's first ``failuresBeforeBlind`` frames all failed analysis: why nothing can
    /// be analysed. The capture service then stops and closes the session.
    public private(set) var cannotAnalyse: String?

    /// Episode changes waiting in memory for the outbox.
    public var unsavedChanges: Int { unsaved.count }

    /// - Parameter live: whether frames come from a live camera or stream; frozen-frame detection only
    ///   makes sense there (a replayed image sequence may repeat an image on purpose).
    public init(
        identity: Identity, settings: MonitorSettings, pipeline: VisionPipeline, outbox: Outbox, live: Bool,
        outboxRetry: OutboxRetry = OutboxRetry(), logger: Logger = Logger(label: "proctor.monitor"),
        now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) throws {
        self.identity = identity
        self.outboxRetry = outboxRetry
        self.now = now
        self.sleep = sleep
        self.settings = settings
        self.pipeline = pipeline
        self.outbox = outbox
        // Every line this session logs names it, so a collector can follow one exam.
        var logger = logger
        logger[metadataKey: "session"] = "\(identity.sessionID)"
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
            configJSON: configJSON, owner: .current)
    }

    /// Processes one capture event; returns the episode changes it caused (already committed).
    @discardableResult
    public func handle(_ event: CaptureEvent) throws -> [EpisodeChange] {
        guard !finished else { return [] }
        switch event {
        case .frame(let frame):
            return try analyze(frame)
        case .lost(let time, let reason):
            AgentMetrics.cameraWasLost()
            logger.warning("camera lost", metadata: ["time": .stringConvertible(time), "reason": "\(reason)"])
            return try commit(engine.cameraLost(time: time))
        case .restored(let time):
            logger.notice("camera restored", metadata: ["time": .stringConvertible(time)])
            return try commit(engine.cameraRestored(time: time))
        case .skipped(let time, let reason):
            logger.warning("frame skipped", metadata: ["time": .stringConvertible(time), "error": "\(reason)"])
            statistics.framesSkipped += 1
            if statistics.firstSkipped == nil { statistics.firstSkipped = reason }
            return []
        case .ended, .failed:
            return []
        }
    }

    /// Closes open episodes at `time` (default: the last frame's time) and the session record.
    /// Waits (up to ``OutboxRetry/giveUpAfter``) for an outbox that cannot be written to right now.
    @discardableResult
    public func finish(at time: Double? = nil, endedAt: Date = Date()) throws -> [EpisodeChange] {
        guard !finished else { return [] }
        finished = true
        let changes = try commit(engine.finish(time: time ?? statistics.mediaTime))
        while true {
            do {
                try flushUnsaved()
                // The last frame's media time is how long the session watched (the report's session length).
                try outbox.heartbeat(
                    sessionID: identity.sessionID, media: time ?? statistics.mediaTime,
                    framesAnalyzed: statistics.framesAnalyzed, secondsWithFace: statistics.secondsWithFace, at: now())
                try outbox.closeSession(
                    id: identity.sessionID, endedAt: endedAt, framesAnalyzed: statistics.framesAnalyzed,
                    secondsWithFace: statistics.secondsWithFace)
                if trouble != nil { logger.error("outbox writable again: every kept episode change is saved") }
                trouble = nil
                return changes
            } catch let error as OutboxError where Self.isRetriable(error) {
                try noteTrouble(error)
            }
            sleep(max(0.05, (trouble?.retryAt ?? now()).timeIntervalSince(now())))
        }
    }

    private func analyze(_ frame: CapturedFrame) throws -> [EpisodeChange] {
        let watch = DispatchTime.now().uptimeNanoseconds
        let analysis: FrameAnalysis
        do {
            analysis = try pipeline.analyze(frame.image, detectObjects: observed % settings.objectEvery == 0)
        } catch {
            // One bad frame must not end an exam: log it and wait for the next one.
            AgentMetrics.analysisFailed()
            logger.error("frame analysis failed", metadata: ["time": .stringConvertible(frame.time), "error": "\(error)"])
            if let reason = blindStart.failed("\(error)") { cannotAnalyse = reason }
            return []
        }
        blindStart.succeeded()
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
        let elapsed = DispatchTime.now().uptimeNanoseconds - watch
        statistics.analysisMilliseconds = Double(elapsed) / 1_000_000
        AgentMetrics.frameAnalysed(nanoseconds: elapsed)
        heartbeatDue = true
        return try commit(engine.observe(time: frame.time, analysis: analysis, thumbnail: thumbnail))
    }

    private func commit(_ changes: [EpisodeChange]) throws -> [EpisodeChange] {
        for change in changes {
            let episode = change.episode
            var jpeg: Data?
            var thumbnail: Data?
            if let best = episode.evidence, writtenEvidence[episode.id] != best.sequence,
                let frame = evidence.frame(sequence: best.sequence)
            {
                do {
                    jpeg = Data(try frame.image.jpegData(quality: settings.evidenceQuality))
                    let annotated = try frame.image.annotatedThumbnail(
                        with: best.analysis.scaled(by: frame.scale), maxSide: settings.thumbnailSide)
                    thumbnail = Data(try annotated.jpegData(quality: 80))
                    writtenEvidence[episode.id] = best.sequence
                } catch {
                    logger.error(
                        "evidence encoding failed", metadata: ["episode": "\(episode.id.uuidString.lowercased())", "error": "\(error)"])
                }
            }
            remember(
                UnsavedChange(
                    record: EpisodeRecord(episode, eventType: engine.eventType(for: episode)), jpeg: jpeg,
                    thumbnail: thumbnail))
            switch change {
            case .opened:
                statistics.episodesOpened += 1
                AgentMetrics.episodeOpened(type: episode.type.rawValue)
                logger.notice(
                    "episode opened",
                    metadata: [
                        "episode": "\(episode.id.uuidString.lowercased())", "type": "\(episode.type.rawValue)",
                        "severity": "\(episode.severity)", "start": .stringConvertible(episode.start),
                    ])
            case .closed:
                writtenEvidence[episode.id] = nil
                // The same level as "opened": a collector filtering on notice sees both ends.
                logger.notice(
                    "episode closed",
                    metadata: [
                        "episode": "\(episode.id.uuidString.lowercased())", "type": "\(episode.type.rawValue)",
                        "start": .stringConvertible(episode.start), "end": .stringConvertible(episode.end ?? episode.lastSeen),
                    ])
            case .updated:
                break
            }
        }
        statistics.openEpisodes = engine.openEpisodes.count
        statistics.openEpisodeTypes = engine.openEpisodes.sorted { $0.start < $1.start }.map(\.type.rawValue)
        try writePending(force: false)
        return changes
    }

    /// Writes what waits (episode changes, then the heartbeat); a retriable failure keeps it in memory.
    private func writePending(force: Bool) throws {
        if let trouble, !force, now() < trouble.retryAt { return }
        do {
            try flushUnsaved()
            try recordHeartbeat()
        } catch let error as OutboxError where Self.isRetriable(error) {
            try noteTrouble(error)
            return
        }
        if let past = trouble, past.wrote {
            logger.error(
                "outbox writable again: every kept episode change is saved",
                metadata: [
                    "failures": .stringConvertible(past.failures), "seconds": .stringConvertible(Int(now().timeIntervalSince(past.since))),
                ])
            trouble = nil
        }
    }

    /// At most once a second: the frame's media time and totals, so a crash can be closed where it happened.
    private func recordHeartbeat() throws {
        let wall = now()
        guard heartbeatDue else { return }
        if trouble == nil, let last = lastHeartbeat, wall.timeIntervalSince(last) < Self.heartbeatInterval, wall >= last {
            return
        }
        try outbox.heartbeat(
            sessionID: identity.sessionID, media: statistics.mediaTime, framesAnalyzed: statistics.framesAnalyzed,
            secondsWithFace: statistics.secondsWithFace, at: wall)
        lastHeartbeat = wall
        heartbeatDue = false
        trouble?.wrote = true
    }

    /// Queues a change; a newer revision of the same episode replaces the older one but keeps its
    /// evidence unless it brings its own.
    private func remember(_ change: UnsavedChange) {
        let id = change.record.id
        if var waiting = unsaved[id] {
            waiting.record = change.record
            waiting.jpeg = change.jpeg ?? waiting.jpeg
            waiting.thumbnail = change.thumbnail ?? waiting.thumbnail
            unsaved[id] = waiting
        } else {
            unsaved[id] = change
            unsavedOrder.append(id)
        }
    }

    /// Writes queued changes in order.
    private func flushUnsaved() throws {
        while let id = unsavedOrder.first {
            guard let change = unsaved[id] else {
                unsavedOrder.removeFirst()
                continue
            }
            _ = try outbox.upsertEpisode(
                sessionID: identity.sessionID, episode: change.record, evidenceJPEG: change.jpeg,
                thumbnailJPEG: change.thumbnail)
            unsaved[id] = nil
            unsavedOrder.removeFirst()
            trouble?.wrote = true
        }
    }

    /// Logs the failure loudly, schedules the next attempt, and throws once the fault is persistent.
    private func noteTrouble(_ error: OutboxError) throws {
        let wall = now()
        var current = trouble ?? OutboxTrouble(since: wall, failures: 0, retryAt: wall, lastError: "")
        current.failures += 1
        current.wrote = false
        current.lastError = error.description
        let delay = min(outboxRetry.maxDelay, outboxRetry.firstDelay * pow(2, Double(min(current.failures - 1, 30))))
        current.retryAt = wall.addingTimeInterval(delay)
        trouble = current
        logger.error(
            "outbox write failed; monitoring goes on with the changes kept in memory",
            metadata: [
                "error": "\(error)", "unsaved": .stringConvertible(unsaved.count), "failures": .stringConvertible(current.failures),
                "retryIn": .stringConvertible(delay),
            ])
        if wall.timeIntervalSince(current.since) >= outboxRetry.giveUpAfter {
            throw OutboxError.cannotOpen(
                path: outbox.path,
                reason: "writes have failed for \(Int(wall.timeIntervalSince(current.since))) s "
                    + "(\(unsaved.count) episode changes not saved): \(error)")
        }
    }

    /// Faults another moment may not have: locks, I/O errors, a full disk. Bad arguments or a
    /// broken schema fail the same way every time.
    static func isRetriable(_ error: OutboxError) -> Bool {
        guard case .sqlite(_, let code, _) = error else { return false }
        // Primary result codes: BUSY 5, LOCKED 6, NOMEM 7, IOERR 10, FULL 13, CANTOPEN 14, PROTOCOL 15.
        return [5, 6, 7, 10, 13, 14, 15].contains(code & 0xff)
    }
}
