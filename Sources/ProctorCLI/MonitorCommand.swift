import ArgumentParser
import Foundation
import Logging
import ProctorAgent
import ProctorCapture
import ProctorCore
import ProctorDelivery
import ProctorImaging
import ProctorOutbox
import ProctorVision

/// `proctor monitor`: the workstation agent.
struct Monitor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch a webcam (or replay a recording) and record violation episodes in the local outbox.",
        discussion: """
            Runs until SIGINT/SIGTERM/SIGHUP (or the end of a replay), then closes open episodes and exits 0 (within 10 s).
            Settings precedence, lowest to highest: defaults, --config FILE (JSON), PROCTOR_* environment \
            variables (PROCTOR_FPS, PROCTOR_FACE_SIDE, PROCTOR_OBJECT_SIZE, PROCTOR_OBJECT_EVERY, PROCTOR_RETENTION_DAYS, \
            PROCTOR_OUTBOX, PROCTOR_ENGINE), command-line flags.
            Example: proctor monitor --camera /dev/video0 --student 42 --exam midterm --metrics 127.0.0.1:9464
            \(ExitStatus.line([
                (0, "clean stop"), (1, "the source failed mid-run"), (64, nil), (66, "camera or source cannot be opened"),
                (78, "settings, models, outbox or metrics address"),
            ]))
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var engineOptions: EngineOptions
    @OptionGroup var outboxOptions: OutboxOptions
    @OptionGroup(title: "Delivery (optional: without a sink, episodes wait in the outbox for `proctor ship`)")
    var delivery: DeliveryOptions
    @OptionGroup(title: "Metrics (Prometheus text format)") var metricsOptions: MetricsOptions

    @Option(help: "V4L2 device to read, e.g. /dev/video0.")
    var camera: String?

    @Option(help: "Replay instead of a camera: a video file, a stream URL, or a directory of images (name order).")
    var source: String?

    @Option(help: "The platform's student id.")
    var student: String

    @Option(help: "The exam id or name.")
    var exam: String?

    @Option(help: "Frames analysed per second (default 2).")
    var fps: Double?

    @Option(help: "Camera frame size WIDTHxHEIGHT.")
    var size: String = "640x480"

    @Option(help: "JSON settings file (fps, rules, faceSide, objectSize, objectEvery, identityEvery, evidenceQuality, thumbnailSide, retentionDays, engine); unknown keys are an error (default: $XDG_CONFIG_HOME/proctor-vision/config.json, then /etc/proctor-vision/config.json; see `proctor config print`).")
    var config: String?

    @Flag(help: "Run even when a model is missing or fails its manifest check (Haar instead of YuNet, no phones); the session record and report say so.")
    var allowDegraded = false

    @Flag(help: "Replay at the recording's own pace instead of as fast as analysis allows.")
    var realtime = false

    @Option(help: "Use this session id instead of a new UUID.")
    var sessionID: String?

    /// The longest a stop request may take, from the signal to the process's exit.
    static let stopGraceSeconds = 10.0

    @Option(help: "The registered student's photo (exactly one clear face) for identity checks (default with --database-url and --media-root: the student's registration photo).")
    var reference: String?

    mutating func validate() throws {
        guard (camera == nil) != (source == nil) else { throw ValidationError("give exactly one of --camera or --source") }
        guard !student.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--student must not be empty") }
        guard parsedSize != nil else { throw ValidationError("--size must look like 640x480 (16...8192 each way)") }
        if let fps, !(fps > 0 && fps <= 30) { throw ValidationError("--fps must be in (0, 30]") }
        if delivery.apiURL != nil || delivery.effectiveDatabaseURL != nil { try delivery.validateChoice() }
    }

    var parsedSize: (width: Int, height: Int)? {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (16...8192).contains(parts[0]), (16...8192).contains(parts[1]) else { return nil }
        return (parts[0], parts[1])
    }

    /// Each source is checked as it is applied, so the error names the one holding the bad value.
    func settings() throws -> MonitorSettings {
        try ConfigSources.resolve(config: config, fps: fps).settings
    }

    func run() async throws {
        let logger = global.makeLogger(label: "proctor.monitor")
        OpenCVRuntime.quietLogs()
        // Before anything counts: a metric made before the backend exists stays a no-op.
        let metricsExport = try metricsOptions.requested ? MetricsExport(options: metricsOptions, logger: logger) : nil
        defer { metricsExport?.stop() }
        let settings = try settings()
        var factory = VisionPipelineFactory(configuration: settings.vision, locator: global.locator)
        // The settings already hold PROCTOR_ENGINE over the file's value; --engine beats both.
        factory.backend = try engineOptions.backend(configured: settings.engine, logger: logger)
        let degradations = try DegradedModels.enforce(&factory, allowed: allowDegraded, logger: logger)
        factory.identity = try MonitorIdentity.settings(
            reference: reference, student: student, delivery: delivery, factory: factory, locator: global.locator, settings: settings,
            logger: logger)
        let pipeline: VisionPipeline
        do {
            pipeline = try factory.makePipeline()
        } catch {
            throw Failure.configuration("\(error)")
        }

        let outboxPath = outboxOptions.path
        let outbox: Outbox
        do {
            outbox = try Outbox(path: outboxPath)  // creates its directory (0700) when missing
            // Sessions of monitors that died (SIGKILL, crash, power loss) end at their last heartbeat.
            for recovered in try outbox.recoverAbandonedSessions() {
                logger.warning(
                    "monitor stopped unexpectedly: earlier session closed at its last heartbeat",
                    metadata: [
                        "session": "\(recovered.sessionID)", "stoppedAt": "\(recovered.stoppedAt)",
                        "closedEpisodes": .stringConvertible(recovered.closedEpisodes),
                    ])
            }
            for deletion in try outbox.applyRetention(maxAge: settings.retentionDays * 86_400) {
                logger.notice("retention: deleted evidence", metadata: ["episode": "\(deletion.episodeID)", "session": "\(deletion.sessionID)"])
            }
        } catch {
            throw Failure.configuration("outbox \(outboxPath): \(error)")
        }

        let live: Bool
        let sampler: FrameSampler
        do {
            if let camera, let size = parsedSize {
                live = true
                sampler = try FrameSampler(
                    source: V4L2Camera(path: camera, width: size.width, height: size.height), options: .init(fps: settings.fps))
            } else if let source {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue {
                    live = false
                    sampler = try FrameSampler(
                        source: ImageDirectorySource(directory: source, fps: settings.fps),
                        options: .init(fps: settings.fps, realtime: realtime))
                } else {
                    let video = VideoFileSource(source)
                    live = video.isLive
                    sampler = try FrameSampler(source: video, options: .init(fps: settings.fps, realtime: realtime))
                }
            } else {
                throw ValidationError("give --camera or --source")
            }
        } catch let error as CaptureError {
            throw Failure.noInput(error.description)
        }

        let identity = MonitorSession.Identity(sessionID: sessionID ?? UUID().uuidString.lowercased(), studentID: student, examID: exam)
        let configJSON = SessionConfiguration.json(
            settings: settings, factory: factory, degradations: degradations, live: live, sourceName: camera ?? source)
        let session: MonitorSession
        do {
            session = try MonitorSession(identity: identity, settings: settings, pipeline: pipeline, outbox: outbox, live: live, logger: logger)
            try session.start(configJSON: configJSON)
        } catch {
            throw Failure.configuration("\(error)")
        }
        // The one startup line: what runs, on what, with which models and settings.
        logger.notice(
            "monitoring",
            metadata: StartupLine.metadata(
                session: identity.sessionID, source: sampler.sourceDescription, outbox: outboxPath, factory: factory,
                configJSON: configJSON))
        metricsExport?.start()
        var outboxGauges = OutboxGauges(outbox: outbox, enabled: metricsExport != nil)
        outboxGauges.refresh()

        // Delivery runs on its own thread and never holds up capture or analysis; what it has not sent
        // when the monitor stops stays pending in the outbox.
        var shipper: Shipper?
        if delivery.apiURL != nil || delivery.effectiveDatabaseURL != nil {
            shipper = Shipper(outbox: outbox, sink: try delivery.makeSink(), logger: logger)
            shipper?.start()
        }
        defer { shipper?.stop() }

        // SIGINT, SIGTERM and SIGHUP end the replay or capture; the session is closed below. A source
        // stuck in a system call is left behind after 3 s, and a monitor still running 10 s after the
        // signal exits anyway (its session is then recovered as ended abnormally by the next start).
        let stopping = SignalWatcher(exitAfter: Self.stopGraceSeconds) { signal in
            if signal == SIGINT, Terminal.stderrIsTerminal { Terminal.writeError("\n") }
            sampler.stop(waitingAtMost: 3)
        }
        let status = StatusLine(enabled: Terminal.stderrIsTerminal && !global.quiet)
        var failure: CaptureError?
        for await event in sampler.events {
            if case .failed(let error) = event { failure = error }
            do {
                let changes = try session.handle(event)
                if changes.contains(where: { if case .closed = $0 { true } else { false } }) { shipper?.wake() }
            } catch {
                // A persistent outbox fault (transient ones are ridden out in memory by the session):
                // stop rather than lose episodes silently.
                status.clear()
                sampler.stop()
                _ = stopping
                throw Failure.configuration("outbox write failed: \(error)")
            }
            status.update(session.statistics)
            outboxGauges.refresh()
        }
        status.clear()
        try session.finish()
        if let running = shipper {
            // The episodes closed just now: one more pass (one attempt per session, so a service that is
            // down cannot hold the exit); whatever fails stays pending for the next run or `proctor ship`.
            // The same shipper: it remembers confirmations the outbox could not record yet.
            running.stop()
            shipper = nil
            let report = running.drain(maxAttempts: 1)
            logger.notice(
                "delivery",
                metadata: [
                    "session": "\(identity.sessionID)", "delivered": .stringConvertible(report.delivered),
                    "pending": .stringConvertible(report.remaining), "rejected": .stringConvertible(report.rejected),
                ])
        }
        outboxGauges.refresh(force: true)
        let stats = session.statistics
        // A person at a terminal gets a sentence; a collector gets only the JSON line below.
        if !global.quiet, Terminal.stderrIsTerminal {
            let summary = String(
                format: "session %@: %d frames analysed, %.0f s with a face, %d episodes (outbox %@)", identity.sessionID,
                stats.framesAnalyzed, stats.secondsWithFace, stats.episodesOpened, outboxPath)
            Terminal.writeError(summary + "\n")
        }
        logger.notice(
            "session closed",
            metadata: [
                "session": "\(identity.sessionID)", "episodes": .stringConvertible(stats.episodesOpened),
                "framesAnalysed": .stringConvertible(stats.framesAnalyzed), "secondsWithFace": .stringConvertible(stats.secondsWithFace),
                "outbox": "\(outboxPath)",
            ])
        if let failure {
            Terminal.writeError("error: \(failure.description)\n")
            throw ExitCode(1)
        }
    }
}

/// The one-line live status on a terminal.
final class StatusLine {
    private let enabled: Bool
    private var times: [Date] = []

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ stats: MonitorSession.Statistics) {
        guard enabled else { return }
        let now = Date()
        times.append(now)
        times.removeAll { now.timeIntervalSince($0) > 5 }
        let rate = times.count > 1 ? Double(times.count - 1) / max(0.001, now.timeIntervalSince(times[0])) : 0
        Terminal.showStatus(Self.text(stats, rate: rate))
    }

    /// The line itself: which episodes are open, not only how many.
    static func text(_ stats: MonitorSession.Statistics, rate: Double) -> String {
        let open = stats.openEpisodeTypes.isEmpty ? "none" : stats.openEpisodeTypes.joined(separator: ",")
        return String(
            format: "t=%.1fs  %.1f fps analysed  faces %d  open: %@  episodes %d  %.0f ms/frame", stats.mediaTime, rate,
            stats.lastFaceCount, open, stats.episodesOpened, stats.analysisMilliseconds)
    }

    func clear() {
        if enabled { Terminal.showStatus(nil) }
    }
}
