import Foundation
import Logging
import ProctorCapture
import ProctorCore
import ProctorDelivery
import ProctorOutbox
import ProctorVision
import ServiceLifecycle

/// Why a monitor run could not start or had to stop; the command turns each into its exit status.
public enum MonitorError: Error, CustomStringConvertible {
    /// The camera or replay source cannot be opened.
    case noInput(String)
    /// The outbox cannot be opened or recovered (a wrong path, not an outbox): the setup's to fix.
    case outbox(String)
    /// The outbox stopped taking writes mid-run for longer than the session rides out (a full disk, a
    /// lock held for minutes): an output failure, which a restart may get past.
    case outboxWrite(String)
    /// The session could not be recorded as started.
    case configuration(String)

    public var description: String {
        switch self {
        case .noInput(let message), .outbox(let message), .outboxWrite(let message), .configuration(let message): message
        }
    }
}

/// The workstation agent's run, from an opened pipeline to a closed session: opens the outbox
/// (recovering sessions of monitors that died, applying retention), opens the source, then runs
/// capture+analysis and delivery as services under the stop signals, with ordered teardown:
/// capture stops → the episodes and the session are closed → one final delivery pass with a deadline.
/// The command only parses options and builds the pipeline and the sink.
public struct MonitorRunner {
    /// Where frames come from.
    public enum Source: Sendable {
        /// A V4L2 device at that frame size.
        case camera(path: String, width: Int, height: Int)
        /// A video file, a stream URL, or a directory of images (name order); `realtime` keeps the recording's pace.
        case replay(String, realtime: Bool)
    }

    /// What the command contributes besides settings: its session record text, its startup line, its
    /// progress display and metrics. Every hook but `started` runs on the capture queue.
    public struct Hooks: Sendable {
        /// The session's configuration record, given whether the source is live.
        public var sessionConfiguration: @Sendable (_ live: Bool) -> String?
        /// The startup line's metadata, given the opened source's description and the session's configuration record.
        public var startupMetadata: @Sendable (_ source: String, _ configuration: String?) -> Logger.Metadata
        /// Called once the session is recorded as started, with the run's outbox.
        public var started: @Sendable (Outbox) -> Void
        /// Called after each capture event the session handled.
        public var progressed: @Sendable (MonitorSession.Statistics) -> Void

        public init(
            sessionConfiguration: @escaping @Sendable (Bool) -> String? = { _ in nil },
            startupMetadata: @escaping @Sendable (String, String?) -> Logger.Metadata = { _, _ in [:] },
            started: @escaping @Sendable (Outbox) -> Void = { _ in },
            progressed: @escaping @Sendable (MonitorSession.Statistics) -> Void = { _ in }
        ) {
            self.sessionConfiguration = sessionConfiguration
            self.startupMetadata = startupMetadata
            self.started = started
            self.progressed = progressed
        }
    }

    /// How the run ended.
    public struct Outcome: Sendable {
        public var statistics: MonitorSession.Statistics
        /// The source's own failure, when that ended the run (the session was still closed).
        public var sourceFailure: CaptureError?
        /// Why no frame could be analysed, when that ended the run (the session was still closed).
        public var analysisFailure: String?
        /// The signal that started the stop, if one did.
        public var stoppedBy: Int32?
        /// A second stop signal that hurried the stop (the final delivery pass was skipped).
        public var escalation: Int32?
        /// The stop outlived its deadline; the session is left for the next start's recovery.
        public var deadlinePassed = false
    }

    /// The longest a stop may take, from the first signal to the run's return.
    public static let stopDeadline = 10.0
    /// The longest the final delivery pass may take.
    public static let finalPassDeadline = 5.0

    public var source: Source
    public var identity: MonitorSession.Identity
    public var settings: MonitorSettings
    public var outboxPath: String
    public var sink: (any DeliverySink)?
    public var hooks: Hooks
    /// Services that run alongside for the whole run and stop last, after the final delivery pass (metrics).
    public var companions: [any Service] = []
    public var logger: Logger

    public init(
        source: Source, identity: MonitorSession.Identity, settings: MonitorSettings, outboxPath: String,
        sink: (any DeliverySink)?, hooks: Hooks = Hooks(), logger: Logger
    ) {
        self.source = source
        self.identity = identity
        self.settings = settings
        self.outboxPath = outboxPath
        self.sink = sink
        self.hooks = hooks
        self.logger = logger
    }

    /// Opens the outbox read for the run: recovers sessions of monitors that died and applies retention.
    public func openOutbox() throws(MonitorError) -> Outbox {
        do {
            let outbox = try Outbox(path: outboxPath)  // creates its directory (0700) when missing
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
            return outbox
        } catch {
            // Most of the outbox's errors name the file already.
            let text = "\(error)"
            throw .outbox(text.contains(outboxPath) ? text : "outbox \(outboxPath): \(text)")
        }
    }

    /// Opens the source; returns the sampler and whether it is live (frozen-frame detection applies).
    public func openSource() throws(MonitorError) -> (sampler: FrameSampler, live: Bool) {
        do {
            switch source {
            case .camera(let path, let width, let height):
                return (try FrameSampler(source: V4L2Camera(path: path, width: width, height: height), options: .init(fps: settings.fps)), true)
            case .replay(let path, let realtime):
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    let sampler = try FrameSampler(
                        source: ImageDirectorySource(directory: path, fps: settings.fps), options: .init(fps: settings.fps, realtime: realtime))
                    return (sampler, false)
                }
                let video = VideoFileSource(path)
                let live = video.isLive
                return (try FrameSampler(source: video, options: .init(fps: settings.fps, realtime: realtime)), live)
            }
        } catch {
            throw .noInput(error.description)
        }
    }

    /// Runs until the source ends or a stop signal, then tears down in order; see the type's summary.
    public func run(pipeline: sending VisionPipeline) async throws(MonitorError) -> Outcome {
        let outbox = try openOutbox()
        let (sampler, live) = try openSource()
        let configuration = hooks.sessionConfiguration(live)
        let session: MonitorSession
        do {
            session = try MonitorSession(identity: identity, settings: settings, pipeline: pipeline, outbox: outbox, live: live, logger: logger)
            try session.start(configJSON: configuration)
        } catch {
            sampler.stop(waitingAtMost: 0)
            throw .configuration("\(error)")
        }
        // The one startup line: what runs, on what, with which models and settings.
        logger.notice("monitoring", metadata: hooks.startupMetadata(sampler.sourceDescription, configuration))
        hooks.started(outbox)

        let stop = StopRequest()
        let onQueue = SessionOnQueue(session: session, work: BlockingWork(label: "proctor-analysis"), outboxPath: outboxPath)
        let delivery = sink.map {
            DeliveryService(
                shipper: Shipper(outbox: outbox, sink: $0, logger: logger), stop: stop, finalPassSeconds: Self.finalPassDeadline,
                sessionID: identity.sessionID, logger: logger)
        }
        let capture = CaptureService(
            sampler: sampler, session: onQueue, stop: stop, wakeDelivery: { delivery?.shipper.wake() }, progressed: hooks.progressed,
            logger: logger)
        // Listed in start order; shutdown runs in reverse: capture (which closes the session) first, then delivery.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = companions.map {
            .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        if let delivery {
            services.append(.init(service: delivery, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        // The end of a replay (or a source failure) is a normal end: the rest shuts down in order.
        services.append(.init(service: capture, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
        var groupLogger = logger
        if logger.logLevel > .trace { groupLogger.logLevel = max(logger.logLevel, .warning) }  // its own chatter only when tracing
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: groupLogger))

        let ending = await SignalledGroup.run(
            group, stop: stop, deadline: Self.stopDeadline, logger: logger,
            escalate: { _ in
                // Leave a source stuck in a read behind now, and cut the delivery in flight short.
                DispatchQueue.global().async { sampler.stop(waitingAtMost: 0) }
                delivery?.hurry()
            })
        var outcome = Outcome(
            statistics: capture.closedStatistics.withLock { $0 } ?? MonitorSession.Statistics(),
            sourceFailure: capture.sourceFailure.withLock { $0 }, analysisFailure: capture.analysisFailure.withLock { $0 }, stoppedBy: stop.firstSignal, escalation: stop.escalation)
        if case .finished = ending {
            // Every service has returned: close the outbox now (checkpointing its journal), not whenever
            // the last task lets go of it, so the files left behind are complete for any reader.
            outbox.close()
        }
        switch ending {
        case .finished(nil):
            break
        case .finished(let error as MonitorError):
            throw error
        case .finished(let error?):
            throw .outbox("\(error)")
        case .escalated(let signal), .deadlinePassed(let signal, _):
            let seconds = Self.stopDeadline
            logger.error(
                "still running \(Int(seconds)) s after \(SignalName.of(signal)); exiting (the next start closes the session)",
                metadata: ["session": "\(identity.sessionID)"])
            outcome.deadlinePassed = true
        }
        return outcome
    }
}
