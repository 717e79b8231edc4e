import Dispatch
import Logging
import ProctorCapture
import ProctorCore
import ServiceLifecycle
import Synchronization

/// Capture and analysis as one service: frames from the sampler go through the session (inference,
/// episode rules, outbox commits) until the source ends or shutdown begins; then the episodes and
/// the session are closed before the service returns, so the delivery service after it in the
/// teardown finds them closed.
///
/// The session's work blocks (inference, SQLite fsyncs): it runs on a queue of its own, never on the
/// cooperative pool.
final class CaptureService: Service, CustomStringConvertible {
    let description = "capture"
    private let sampler: FrameSampler
    private let session: SessionOnQueue
    private let stop: StopRequest
    private let wakeDelivery: @Sendable () -> Void
    private let progressed: @Sendable (MonitorSession.Statistics) -> Void
    private let logger: Logger
    /// Seconds a stop waits for a source stuck in a system call before leaving it behind.
    static let stuckSourceWait = 3.0

    /// The source's own failure, when it ended the run (the session is still closed).
    let sourceFailure = Mutex<CaptureError?>(nil)
    /// Why no frame could be analysed, when that ended the run (the session is still closed).
    let analysisFailure = Mutex<String?>(nil)
    /// The session's statistics once it is closed.
    let closedStatistics = Mutex<MonitorSession.Statistics?>(nil)

    init(
        sampler: FrameSampler, session: SessionOnQueue, stop: StopRequest, wakeDelivery: @escaping @Sendable () -> Void,
        progressed: @escaping @Sendable (MonitorSession.Statistics) -> Void, logger: Logger
    ) {
        self.sampler = sampler
        self.session = session
        self.stop = stop
        self.wakeDelivery = wakeDelivery
        self.progressed = progressed
        self.logger = logger
    }

    func run() async throws {
        let sampler = self.sampler
        let stop = self.stop
        do {
            try await withGracefulShutdownHandler {
                try await consumeEvents()
            } onGracefulShutdown: {
                // Waits up to 3 s for a source stuck in a read: off the cooperative pool.
                DispatchQueue.global().async { sampler.stop(waitingAtMost: stop.isEscalated ? 0 : Self.stuckSourceWait) }
            }
        } catch {
            // A persistent outbox fault (transient ones are ridden out in memory by the session): stop
            // rather than lose episodes silently.
            DispatchQueue.global().async { sampler.stop(waitingAtMost: 0) }
            throw MonitorError.outboxWrite("outbox write failed: \(error)")
        }
        logger.notice("capture stopped", metadata: ["signal": "\(stop.firstSignal.map(SignalName.of) ?? "none")"])
        let session = self.session
        let statistics: MonitorSession.Statistics
        do {
            statistics = try await session.work.run {
                try session.session.finish()
                return session.session.statistics
            }
        } catch {
            throw MonitorError.outboxWrite("outbox \(session.outboxPath): cannot close the session: \(error)")
        }
        closedStatistics.withLock { $0 = statistics }
        logger.notice(
            "session closed",
            metadata: [
                "session": "\(session.session.identity.sessionID)", "episodes": .stringConvertible(statistics.episodesOpened),
                "framesAnalysed": .stringConvertible(statistics.framesAnalyzed),
                "secondsWithFace": .stringConvertible(statistics.secondsWithFace),
                "outbox": "\(session.outboxPath)",
            ])
    }

    private func consumeEvents() async throws {
        let session = self.session
        let progressed = self.progressed
        for await event in sampler.events {
            if case .failed(let error) = event { sourceFailure.withLock { $0 = error } }
            let (closed, blind) = try await session.work.run {
                let changes = try session.session.handle(event)
                progressed(session.session.statistics)
                return (changes.contains { if case .closed = $0 { true } else { false } }, session.session.cannotAnalyse)
            }
            if closed { wakeDelivery() }
            if let blind {
                analysisFailure.withLock { $0 = blind }
                let sampler = self.sampler
                DispatchQueue.global().async { sampler.stop(waitingAtMost: 0) }
                return
            }
        }
    }
}

/// The monitor session, reachable from any task but touched only on its own work queue.
final class SessionOnQueue: @unchecked Sendable {
    // @unchecked: `session` is not thread-safe; every use goes through `work`, a serial queue.
    let session: MonitorSession
    let work: BlockingWork
    let outboxPath: String

    init(session: MonitorSession, work: BlockingWork, outboxPath: String) {
        self.session = session
        self.work = work
        self.outboxPath = outboxPath
    }
}
