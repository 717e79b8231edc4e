import Dispatch
import Logging
import ProctorDelivery
import ServiceLifecycle
import Synchronization

/// Delivery as a service: the shipper's async loop while the monitor runs (its blocking calls run on
/// the shipper's own executor, so capture and analysis never wait for the network), then, once
/// capture has stopped and the session is closed, one final pass with a deadline for the episodes
/// closed just now.
///
/// The final pass makes one attempt per session, so a service that is down cannot hold the exit;
/// whatever it does not send stays pending for the next run or `proctor ship`. A second stop signal
/// skips it, or cuts it short when it has begun.
final class DeliveryService: Service, CustomStringConvertible {
    let description = "delivery"
    let shipper: Shipper
    private let stop: StopRequest
    private let finalPassSeconds: Double
    private let sessionID: String
    private let logger: Logger
    /// The background loop's end, which a stuck attempt must not delay past the deadline.
    private let loopEnded = ResumeOnce<Bool?>()
    /// The final pass's result, which a second stop signal ends early (``hurry()``).
    private let finalPass = ResumeOnce<ShipReport?>()
    private let shuttingDown = Mutex(false)

    init(shipper: Shipper, stop: StopRequest, finalPassSeconds: Double, sessionID: String, logger: Logger) {
        self.shipper = shipper
        self.stop = stop
        self.finalPassSeconds = finalPassSeconds
        self.sessionID = sessionID
        self.logger = logger
    }

    func run() async throws {
        let shipper = self.shipper
        let loopEnded = self.loopEnded
        let deadline = finalPassSeconds
        let stopped = await withGracefulShutdownHandler {
            await Self.outcome(within: nil, racing: loopEnded) {
                await shipper.runUntilStopped()
                return true
            }
        } onGracefulShutdown: { [self] in
            shuttingDown.withLock { $0 = true }
            shipper.requestStop()
            if stop.isEscalated { loopEnded.resume(returning: nil) }
            // An attempt in flight (a service that does not answer) gets the same deadline as the final pass.
            DispatchQueue.global().asyncAfter(deadline: .now() + deadline) { loopEnded.resume(returning: nil) }
        }
        guard !stop.isEscalated else {
            logger.warning("final delivery pass skipped (second stop signal): pending episodes stay in the outbox")
            return
        }
        guard stopped != nil else {
            logger.warning(
                "final delivery pass skipped: the attempt in flight did not end within \(Int(deadline)) s; pending episodes stay in the outbox")
            return
        }
        // The same shipper: it remembers confirmations the outbox could not record yet.
        guard let report = await Self.outcome(within: finalPassSeconds, racing: finalPass, { await shipper.drain(maxAttempts: 1) })
        else {
            shipper.requestStop()
            let why = stop.isEscalated ? "cut short by a second stop signal" : "cut off after \(Int(finalPassSeconds)) s"
            logger.warning("final delivery pass \(why): pending episodes stay in the outbox", metadata: ["session": "\(sessionID)"])
            return
        }
        logger.notice(
            "delivery",
            metadata: [
                "session": "\(sessionID)", "delivered": .stringConvertible(report.delivered),
                "pending": .stringConvertible(report.remaining), "rejected": .stringConvertible(report.rejected),
            ])
    }

    /// A second stop signal: once this service is shutting down, the attempt in flight is abandoned
    /// (its outcome is found out by the next run) and the service returns without waiting for it.
    /// Before that, it only makes sure the final pass is skipped: returning early would end the group
    /// before capture has closed the session.
    func hurry() {
        finalPass.resume(returning: nil)
        guard shuttingDown.withLock({ $0 }) else { return }
        shipper.requestStop()
        loopEnded.resume(returning: nil)
    }

    /// Runs `work` in a task of its own and returns its result, or nil when `seconds` pass first (no
    /// deadline when nil) or a third party resumes `once` with nil. Not a child task: an attempt stuck
    /// in a blocking call would hold its parent, so it is left to end on its own (the next run finds
    /// out its outcome) and the caller's deadline holds either way.
    private static func outcome<T: Sendable>(
        within seconds: Double?, racing once: ResumeOnce<T?>, _ work: @escaping @Sendable () async -> T
    ) async -> T? {
        await withCheckedContinuation { continuation in
            once.arm(continuation)
            Task { once.resume(returning: await work()) }
            if let seconds {
                DispatchQueue.global().asyncAfter(deadline: .now() + max(0, seconds)) { once.resume(returning: nil) }
            }
        }
    }
}
