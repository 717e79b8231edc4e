import Foundation
import Logging
import ProctorOutbox
import Synchronization

/// Drains the outbox to one sink: at least once, in order per exam session, with backoff.
///
/// The outbox is the only state that matters: a restarted shipper picks up every `pending` episode
/// where the last one stopped. An episode is marked `delivered` only after the sink confirmed the
/// commit, so a crash between the two re-sends it: the Postgres sink recognises the replay, the REST
/// API (which has no idempotency key) may then record it twice.
///
/// Within a session, episodes go out in the outbox's order (session start, then episode start) and
/// none is sent while an earlier one of the same session waits for a retry. A permanently rejected
/// episode is marked `failed` with the reason and no longer blocks its session. Only closed episodes
/// are sent by default: the service creates a record per call, so an open episode sent now would
/// duplicate when it closes.
public final class Shipper: Sendable {
    public let outbox: Outbox
    public let sink: any DeliverySink
    public let policy: RetryPolicy
    public let clock: any DeliveryClock
    /// Seconds the background loop sleeps when nothing is pending (``wake()`` cuts it short).
    public let pollInterval: Double
    public let closedOnly: Bool

    private let logger: Logger
    private let wakeup = Wakeup()
    private let loop = Mutex(LoopState())
    private static let batchSize = 500

    private struct LoopState {
        var stopping = false
        var finished: DispatchSemaphore?
    }

    /// What one pass over the pending episodes achieved.
    private enum PassOutcome {
        /// At least one attempt was made.
        case progress
        /// Nothing could be attempted; retry at that time, or nothing is left (nil).
        case idle(retryAt: Date?)
        /// The sink or the outbox is unusable; nothing more can be done this pass.
        case halted(String)
    }

    public init(
        outbox: Outbox, sink: any DeliverySink, policy: RetryPolicy = RetryPolicy(),
        clock: any DeliveryClock = SystemDeliveryClock(), pollInterval: Double = 5, closedOnly: Bool = true,
        logger: Logger = Logger(label: "proctor.delivery")
    ) {
        self.outbox = outbox
        self.sink = sink
        self.policy = policy
        self.clock = clock
        self.pollInterval = max(0.01, pollInterval)
        self.closedOnly = closedOnly
        self.logger = logger
    }

    // MARK: One-shot

    /// Delivers until nothing deliverable is left, every session still pending has used up
    /// ``RetryPolicy/maxAttempts``, or the sink turns out unusable. For `proctor ship`.
    public func drain() -> ShipReport {
        var report = ShipReport()
        var backoff = SessionBackoff()
        var haltFailures = 0
        while !isStopping {
            switch pass(&backoff, &report, oneShot: true) {
            case .progress:
                haltFailures = 0
            case .idle(let retryAt):
                guard let retryAt else { return finish(report) }
                clock.sleep(seconds: retryAt.timeIntervalSince(clock.now()), wakeup: wakeup)
            case .halted(let reason):
                haltFailures += 1
                // A sink that cannot work stops a one-shot run at once; the outbox may just be busy.
                guard reason.hasPrefix(Self.outboxPrefix), haltFailures < (policy.maxAttempts ?? 5) else {
                    report.stoppedBy = reason
                    return finish(report)
                }
                clock.sleep(seconds: policy.delay(afterFailures: haltFailures, unit: clock.random()), wakeup: wakeup)
            }
        }
        report.stoppedBy = report.stoppedBy ?? "stopped"
        return finish(report)
    }

    // MARK: Background

    /// Starts delivering on a thread of its own and returns at once; capture and analysis never wait
    /// for the network. Calling it while running does nothing.
    public func start() {
        let semaphore = DispatchSemaphore(value: 0)
        let started = loop.withLock { state -> Bool in
            guard state.finished == nil else { return false }
            state.stopping = false
            state.finished = semaphore
            return true
        }
        guard started else { return }
        let thread = Thread { [self] in
            runLoop()
            semaphore.signal()
        }
        thread.name = "proctor-delivery"
        thread.start()
    }

    /// Tells the loop that new episodes were written, so it does not wait out its poll interval.
    public func wake() { wakeup.signal() }

    /// Stops the loop after the attempt in flight and waits for it; the outbox keeps what is pending.
    public func stop() {
        let finished = loop.withLock { state -> DispatchSemaphore? in
            state.stopping = true
            return state.finished
        }
        wakeup.signal()
        finished?.wait()
        loop.withLock { state in state.finished = nil }
    }

    private var isStopping: Bool { loop.withLock { $0.stopping } }

    private func runLoop() {
        var report = ShipReport()
        var backoff = SessionBackoff()
        var haltFailures = 0
        var lastHalt: String?
        while !isStopping {
            switch pass(&backoff, &report, oneShot: false) {
            case .progress:
                haltFailures = 0
                lastHalt = nil
            case .idle(let retryAt):
                let wait = retryAt.map { min(pollInterval, $0.timeIntervalSince(clock.now())) } ?? pollInterval
                clock.sleep(seconds: wait, wakeup: wakeup)
            case .halted(let reason):
                haltFailures += 1
                // Repeating the same error every minute for hours helps nobody: log changes only.
                if reason != lastHalt { logger.error("delivery paused: \(reason)") }
                lastHalt = reason
                clock.sleep(seconds: policy.delay(afterFailures: haltFailures, unit: clock.random()), wakeup: wakeup)
            }
        }
    }

    // MARK: A pass

    private static let outboxPrefix = "outbox: "

    private func pass(_ backoff: inout SessionBackoff, _ report: inout ShipReport, oneShot: Bool) -> PassOutcome {
        let pending: [StoredEpisode]
        do {
            pending = try outbox.pendingEpisodes(limit: Self.batchSize, closedOnly: closedOnly)
        } catch {
            return .halted(Self.outboxPrefix + error.description)
        }
        var waiting: Set<String> = []
        var sessions: [String: SessionRecord] = [:]
        var attempted = false
        for stored in pending {
            if isStopping { break }
            let sessionID = stored.sessionID
            guard !waiting.contains(sessionID), !backoff.isWaiting(sessionID, now: clock.now()) else {
                waiting.insert(sessionID)
                continue
            }
            attempted = true
            do {
                let session: SessionRecord
                if let cached = sessions[sessionID] {
                    session = cached
                } else if let found = try outbox.session(id: sessionID) {
                    session = found
                    sessions[sessionID] = found
                } else {
                    try outbox.markFailed(
                        id: stored.id, reason: "session \(sessionID) is missing from the outbox", permanent: true,
                        now: clock.now())
                    report.rejected += 1
                    continue
                }
                if let halt = try attempt(stored, session: session, &backoff, &report, oneShot: oneShot) {
                    return .halted(halt)
                }
                if backoff.isWaiting(sessionID, now: clock.now()) { waiting.insert(sessionID) }
            } catch {
                return .halted(Self.outboxPrefix + error.description)
            }
        }
        if attempted { return .progress }
        return .idle(retryAt: backoff.earliestRetry(among: waiting))
    }

    /// Sends one episode and records the outcome; returns a reason when the whole pass must stop.
    private func attempt(
        _ stored: StoredEpisode, session: SessionRecord, _ backoff: inout SessionBackoff, _ report: inout ShipReport,
        oneShot: Bool
    ) throws(OutboxError) -> String? {
        let key = stored.id.uuidString.lowercased()
        if stored.delivery.deliveredRevision != nil, !sink.updatesInPlace {
            // The service already has this episode and cannot update it; sending it again would
            // create a second event. The newer revision stays in the outbox.
            try outbox.markDelivered(id: stored.id, sink: sink.name, revision: stored.revision, now: clock.now())
            report.alreadyPresent += 1
            logger.notice("revision not sent: \(sink.name) cannot update a delivered episode", metadata: ["episode": "\(key)"])
            return nil
        }
        let evidence = try outbox.evidence(episodeID: stored.id)?.jpeg
        let shipment = Shipment(
            episode: stored, studentID: session.studentID, examID: session.examID, evidenceJPEG: evidence)
        let receipt: DeliveryReceipt
        do {
            receipt = try sink.deliver(shipment)
        } catch {
            try record(error, for: stored, &backoff, &report, oneShot: oneShot)
            if case .unusable(let reason) = error { return reason }
            return nil
        }
        try outbox.markDelivered(
            id: stored.id, sink: sink.name, remoteID: receipt.remoteID, revision: stored.revision, now: clock.now())
        backoff.succeeded(stored.sessionID)
        if receipt.alreadyPresent { report.alreadyPresent += 1 } else { report.delivered += 1 }
        logger.debug(
            "delivered", metadata: ["episode": "\(key)", "sink": "\(sink.name)", "remote": "\(receipt.remoteID ?? "-")"])
        return nil
    }

    private func record(
        _ failure: DeliveryFailure, for stored: StoredEpisode, _ backoff: inout SessionBackoff,
        _ report: inout ShipReport, oneShot: Bool
    ) throws(OutboxError) {
        let key = stored.id.uuidString.lowercased()
        switch failure {
        case .permanent(let reason):
            try outbox.markFailed(id: stored.id, reason: reason, permanent: true, now: clock.now())
            report.rejected += 1
            logger.warning("episode rejected: \(reason)", metadata: ["episode": "\(key)", "sink": "\(sink.name)"])
        case .transient(let reason), .unusable(let reason):
            // Kept pending with the reason, so `proctor episodes` shows why it is still waiting.
            try outbox.markFailed(id: stored.id, reason: reason, permanent: false, now: clock.now())
            report.transientFailures += 1
            report.lastTransientError = reason
            let failures = backoff.failed(stored.sessionID, now: clock.now(), policy: policy, unit: clock.random())
            if oneShot, let limit = policy.maxAttempts, failures >= limit { backoff.abandon(stored.sessionID) }
            logger.info(
                "delivery will be retried: \(reason)",
                metadata: ["episode": "\(key)", "sink": "\(sink.name)", "failures": "\(failures)"])
        }
    }

    private func finish(_ report: ShipReport) -> ShipReport {
        var report = report
        do {
            report.remaining = try outbox.pendingEpisodes(limit: Int(Int32.max), closedOnly: closedOnly).count
        } catch {
            report.stoppedBy = report.stoppedBy ?? (Self.outboxPrefix + error.description)
        }
        return report
    }
}
