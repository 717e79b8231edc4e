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
            Runs until SIGINT/SIGTERM/SIGHUP (or the end of a replay), then stops capture, closes open episodes and the \
            session, makes one final delivery pass (at most 5 s) and exits 0, within 10 s of the signal. A second signal \
            skips the final delivery pass (the session is still closed) and exits 128+N (130 for a second Ctrl-C).
            Settings precedence, lowest to highest: defaults, --config FILE (JSON), PROCTOR_* environment \
            variables (PROCTOR_FPS, PROCTOR_FACE_SIDE, PROCTOR_OBJECT_SIZE, PROCTOR_OBJECT_EVERY, PROCTOR_RETENTION_DAYS, \
            PROCTOR_OUTBOX, PROCTOR_ENGINE), command-line flags.
            Example: proctor monitor --camera /dev/video0 --student 42 --exam midterm --metrics 127.0.0.1:9464
            \(ExitStatus.line([
                (0, "clean stop"), (1, "the source failed mid-run, or replayed frames could not be decoded"), (64, nil), (66, "camera or source cannot be opened"), (74, "the outbox stopped taking writes mid-run, e.g. a full disk"),
                (78, "settings, models, outbox or metrics address, or an engine that analyses none of the first frames"),
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
        if let fps, !MonitorSettings.fpsRange.contains(fps) { throw ValidationError("--fps must be in 0.01...30") }
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
        let source: MonitorRunner.Source
        if let camera, let size = parsedSize {
            source = .camera(path: camera, width: size.width, height: size.height)
        } else if let replay = self.source {
            source = .replay(replay, realtime: realtime)
        } else {
            throw ValidationError("give --camera or --source")
        }
        // Without a sink, episodes wait in the outbox for `proctor ship`.
        let sink = delivery.apiURL != nil || delivery.effectiveDatabaseURL != nil ? try delivery.makeSink() : nil
        let identity = MonitorSession.Identity(sessionID: sessionID ?? UUID().uuidString.lowercased(), studentID: student, examID: exam)
        let outboxPath = outboxOptions.path
        // Kept in the session record and the report: an IP camera's URL without its password.
        let sourceName = camera ?? self.source.map(VideoFileSource.withoutCredentials)
        let models = factory
        let view = MonitorView(
            status: StatusLine(enabled: Terminal.stderrIsTerminal && !global.quiet), gauges: metricsExport != nil)
        metricsExport?.beforeFinalWrite.withLock { $0 = { view.refreshGauges(force: true) } }
        var runner = MonitorRunner(
            source: source, identity: identity, settings: settings, outboxPath: outboxPath, sink: sink,
            hooks: MonitorRunner.Hooks(
                sessionConfiguration: { live in
                    SessionConfiguration.json(
                        settings: settings, factory: models, degradations: degradations, live: live, sourceName: sourceName)
                },
                startupMetadata: { description, configuration in
                    StartupLine.metadata(
                        session: identity.sessionID, source: description, outbox: outboxPath, factory: models, configJSON: configuration)
                },
                started: { view.attach($0) },
                progressed: { view.update($0) }),
            logger: logger)
        // Served for the whole run and stopped last, so the final textfile includes the final delivery pass.
        if let metricsExport { runner.companions.append(metricsExport) }
        let outcome: MonitorRunner.Outcome
        do {
            outcome = try await runner.run(pipeline: pipeline)
        } catch {
            view.finish()
            switch error {
            case .noInput(let message): throw Failure.noInput(message)
            case .outboxWrite(let message): throw Failure.output(message)
            case .outbox(let message), .configuration(let message): throw Failure.configuration(message)
            }
        }
        view.finish()
        if outcome.deadlinePassed, let signal = outcome.stoppedBy {
            Terminal.writeError("error: still running \(Int(MonitorRunner.stopDeadline)) s after \(SignalName.of(signal)); exiting\n")
            throw ExitCode(128 + signal)
        }
        let stats = outcome.statistics
        // A person at a terminal gets a sentence; a collector gets only the JSON line.
        if !global.quiet, Terminal.stderrIsTerminal {
            let summary = String(
                format: "session %@: %d frames analysed, %.0f s with a face, %d episodes (outbox %@)", identity.sessionID,
                stats.framesAnalyzed, stats.secondsWithFace, stats.episodesOpened, outboxPath)
            Terminal.writeError(summary + "\n")
        }
        if let failure = outcome.analysisFailure {
            // The engine cannot analyse here (a broken install, most likely): a configuration error, which
            // the service unit does not restart into the same failure.
            Terminal.writeError("error: \(failure) (check the engine: proctor doctor)\n")
            throw ExitCode(78)
        }
        if let failure = outcome.sourceFailure {
            Terminal.writeError("error: \(failure.description)\n")
            throw ExitCode(1)
        }
        // As `proctor analyze` with some bad images: every other frame was analysed, and the run says so.
        if stats.framesSkipped > 0, let first = stats.firstSkipped {
            Terminal.writeError("error: \(stats.framesSkipped) recorded frame(s) could not be decoded and were skipped (first: \(first))\n")
            throw ExitCode(1)
        }
        // A second signal hurried the stop: the session is closed, the final delivery pass was skipped.
        if let escalation = outcome.escalation { throw ExitCode(128 + escalation) }
    }
}

/// What a person or a scraper sees of a running monitor: the terminal status line and the outbox
/// gauges. Touched only from the monitor's capture queue (and once after it is done).
final class MonitorView: @unchecked Sendable {
    private let status: StatusLine
    private var gauges: OutboxGauges?
    private let gaugesEnabled: Bool

    init(status: StatusLine, gauges: Bool) {
        self.status = status
        self.gaugesEnabled = gauges
    }

    func update(_ stats: MonitorSession.Statistics) {
        status.update(stats)
        refreshGauges(force: false)
    }

    func attach(_ outbox: Outbox) {
        gauges = OutboxGauges(outbox: outbox, enabled: gaugesEnabled)
        gauges?.refresh()
    }

    func refreshGauges(force: Bool) {
        gauges?.refresh(force: force)
    }

    /// Clears the status line; the gauges had their final count before the metrics' last write.
    func finish() {
        status.clear()
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
