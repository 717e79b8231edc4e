import Foundation
import Logging
import ProctorOutbox
import Synchronization

/// Drains the outbox to one sink: at least once, in order per exam session, with backoff.
///
/// The outbox is the only state that matters: a restarted shipper picks up every `pending` episode
/// where the last one stopped. Before sending, a shipper claims the episode's session in the outbox
/// (lease + process identity, see ``Outbox/claimPending(owner:limit:closedOnly:lease:now:)``), so
/// concurrent shippers never send the same episode; it then records the revision it puts on the
/// wire ("sent") and, after the sink's confirmation, `delivered` ("confirmed"). If recording the
/// confirmation fails (disk full, a locked outbox), the confirmation is kept in memory and recorded
/// later: an episode whose attempt got a confirmation is never sent again by this process. Only a
/// process that dies between the sink's commit and the outbox's can cause a re-send: the Postgres
/// sink recognises the replay, the REST API (which has no idempotency key) may record it twice.
///
/// Within a session, episodes go out in the outbox's order (session start, then episode start) and
/// none is sent while an earlier one of the same session waits for a retry. A permanently rejected
/// episode is marked `failed` with the reason and no longer blocks its session. Only closed episodes
/// are sent by default: the service creates a record per call, so an open episode sent now would
/// duplicate when it closes.
///
/// ``drain(maxAttempts:)`` and ``runUntilStopped()`` are async: their sleeps suspend (``wake()`` and
/// ``requestStop()`` cut them short), while everything that blocks, the outbox's SQLite and the sink's
/// network calls, runs on this shipper's own executor, never on the cooperative pool.
public final class Shipper: Sendable {
    public let outbox: Outbox
    public let sink: any DeliverySink
    public let policy: RetryPolicy
    public let clock: any DeliveryClock
    /// Seconds the background loop sleeps when nothing is pending (``wake()`` cuts it short).
    public let pollInterval: Double
    public let closedOnly: Bool

    /// This shipper's claim owner: its process identity plus a unique suffix.
    public let owner: String
    /// Seconds a claim lasts without renewal; every attempt renews all of this shipper's claims.
    public let lease: Double
    /// How long a one-shot drain waits for episodes another live shipper holds before counting them
    /// as not delivered.
    public let heldWait: Double

    private let logger: Logger
    private let pause = InterruptibleSleep()
    private let executor = BlockingWorkExecutor(label: "proctor-delivery")
    private let loop = Mutex(LoopState())
    /// Sink confirmations not yet recorded in the outbox, by episode: never sent again, only recorded.
    private let confirmed = Mutex<[UUID: (revision: Int, receipt: DeliveryReceipt)]>([:])
    private static let batchSize = 500
    /// A one-shot drain does not sleep longer than this for a `Retry-After`; the session is left for the next run.
    private static let longestOneShotWait = 120.0

    private struct LoopState {
        var stopping = false
        var running = false
    }

    /// What one pass over the pending episodes achieved.
    private enum PassOutcome {
        /// At least one attempt was made.
        case progress
        /// Nothing could be attempted; retry at that time, or nothing is left (nil). `held` counts the
        /// deliverable episodes another live shipper holds.
        case idle(retryAt: Date?, held: Int)
        /// The sink or the outbox is unusable; nothing more can be done this pass.
        case halted(ShipHalt)
    }

    public init(
        outbox: Outbox, sink: any DeliverySink, policy: RetryPolicy = RetryPolicy(),
        clock: any DeliveryClock = SystemDeliveryClock(), pollInterval: Double = 5, closedOnly: Bool = true,
        lease: Double = 120, heldWait: Double = 30, logger: Logger = Logger(label: "proctor.delivery")
    ) {
        self.owner = "\(ProcessIdentity.current)/\(UUID().uuidString.lowercased())"
        self.lease = max(1, lease)
        self.heldWait = max(0, heldWait)
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
    /// ``RetryPolicy/maxAttempts``, or the sink turns out unusable. For `proctor ship`, and for the
    /// monitor's last pass after ``requestStop()`` (`maxAttempts` overrides the policy's). A stop
    /// request or the task's cancellation ends it after the attempt in flight (halt ``ShipHalt/stopped``).
    public func drain(maxAttempts: Int? = nil) async -> ShipReport {
        await withTaskExecutorPreference(executor) { await drainOnExecutor(maxAttempts: maxAttempts) }
    }

    private func drainOnExecutor(maxAttempts: Int?) async -> ShipReport {
        loop.withLock { state in if !state.running { state.stopping = false } }
        let limit = maxAttempts ?? policy.maxAttempts
        var report = ShipReport()
        var backoff = SessionBackoff()
        var haltFailures = 0
        var heldSince: Date?
        while !isStopping {
            switch pass(&backoff, &report, oneShot: true, maxAttempts: limit) {
            case .progress:
                haltFailures = 0
                heldSince = nil
            case .idle(let retryAt, let held):
                let now = clock.now()
                if held > 0 {
                    // Another live shipper is sending these; wait for it a while, then count them.
                    let since = heldSince ?? now
                    heldSince = since
                    guard now.timeIntervalSince(since) < heldWait else {
                        if retryAt == nil { return await finish(report) }
                        await sleep(seconds: retryAt.map { $0.timeIntervalSince(now) } ?? 0)
                        continue
                    }
                    await sleep(seconds: min(0.5, retryAt.map { $0.timeIntervalSince(now) } ?? 0.5))
                    continue
                }
                guard let retryAt else { return await finish(report) }
                await sleep(seconds: retryAt.timeIntervalSince(now))
            case .halted(let halt):
                haltFailures += 1
                // A sink that cannot work stops a one-shot run at once; the outbox may just be busy.
                guard case .outbox = halt, haltFailures < (limit ?? 5) else {
                    report.halt = halt
                    return await finish(report)
                }
                await sleep(seconds: policy.delay(afterFailures: haltFailures, unit: clock.random()))
            }
        }
        report.halt = report.halt ?? .stopped
        return await finish(report)
    }

    /// Records confirmations the outbox refused earlier (busy, full), retrying for up to ``heldWait``
    /// seconds; what is still unrecorded then is logged, and a later run may send it again.
    private func settleConfirmations() async {
        let deadline = clock.now().addingTimeInterval(max(heldWait, 1))
        while true {
            let pending = confirmed.withLock { $0 }
            if pending.isEmpty { return }
            for (id, value) in pending {
                do {
                    try outbox.markDelivered(
                        id: id, sink: sink.name, remoteID: value.receipt.remoteID, revision: value.revision, now: clock.now())
                    _ = confirmed.withLock { $0.removeValue(forKey: id) }
                } catch {
                    continue
                }
            }
            if confirmed.withLock({ $0.isEmpty }) { return }
            // A cancelled task's sleeps return at once: give up rather than spin until the deadline.
            guard clock.now() < deadline, !Task.isCancelled else {
                logger.error(
                    "the outbox could not record \(confirmed.withLock { $0.count }) confirmed deliveries; a later run may send them again")
                return
            }
            await sleep(seconds: 0.5)
        }
    }

    // MARK: Background

    /// Delivers until ``requestStop()`` (or the task's cancellation), sleeping between passes.
    /// Returns at once when another call is already running.
    public func runUntilStopped() async {
        let started = loop.withLock { state -> Bool in
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard started else { return }
        await withTaskExecutorPreference(executor) { await runLoop() }
        loop.withLock { state in
            state.running = false
            state.stopping = false
        }
    }

    /// Tells the loop that new episodes were written, so it does not wait out its poll interval.
    public func wake() { pause.interrupt() }

    /// Asks the loop (or a drain) to end after the attempt in flight; returns at once. The outbox
    /// keeps what is pending.
    public func requestStop() {
        loop.withLock { state in state.stopping = true }
        pause.interrupt()
    }

    private var isStopping: Bool { Task.isCancelled || loop.withLock { $0.stopping } }

    /// Sleeps on the clock until ``wake()``, ``requestStop()`` or the task's cancellation.
    private func sleep(seconds: Double) async { await pause.sleep(seconds: seconds, on: clock) }

    private func runLoop() async {
        var report = ShipReport()
        var backoff = SessionBackoff()
        var haltFailures = 0
        var lastHalt: ShipHalt?
        while !isStopping {
            switch pass(&backoff, &report, oneShot: false, maxAttempts: nil) {
            case .progress:
                if lastHalt != nil { logger.notice("delivery resumed") }
                haltFailures = 0
                lastHalt = nil
            case .idle(let retryAt, _):
                let wait = retryAt.map { min(pollInterval, $0.timeIntervalSince(clock.now())) } ?? pollInterval
                await sleep(seconds: wait)
            case .halted(let reason):
                haltFailures += 1
                // Repeating the same error every minute for hours helps nobody: log changes only.
                if reason != lastHalt { logger.error("delivery paused: \(reason)") }
                lastHalt = reason
                await sleep(seconds: policy.delay(afterFailures: haltFailures, unit: clock.random()))
            }
        }
    }

    // MARK: A pass

    private func pass(
        _ backoff: inout SessionBackoff, _ report: inout ShipReport, oneShot: Bool, maxAttempts: Int?
    ) -> PassOutcome {
        let batch: ClaimedBatch
        do {
            batch = try outbox.claimPending(
                owner: owner, limit: Self.batchSize, closedOnly: closedOnly, lease: lease, now: clock.now())
        } catch {
            return .halted(.outbox(error.description))
        }
        // Claims are per pass: sessions waiting for a retry must not block another shipper meanwhile.
        defer {
            do {
                try outbox.releaseClaims(owner: owner)
            } catch {
                logger.warning("cannot release delivery claims (they expire in \(Int(lease)) s): \(error)")
            }
        }
        let pending = batch.episodes
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
                if let halt = try attempt(
                    stored, session: session, &backoff, &report, oneShot: oneShot, maxAttempts: maxAttempts)
                {
                    return .halted(.sinkUnusable(halt))
                }
                if backoff.isWaiting(sessionID, now: clock.now()) { waiting.insert(sessionID) }
            } catch {
                return .halted(.outbox(error.description))
            }
        }
        if attempted { return .progress }
        return .idle(retryAt: backoff.earliestRetry(among: waiting), held: batch.heldElsewhere)
    }

    /// Sends one episode and records the outcome; returns a reason when the whole pass must stop.
    private func attempt(
        _ stored: StoredEpisode, session: SessionRecord, _ backoff: inout SessionBackoff, _ report: inout ShipReport,
        oneShot: Bool, maxAttempts: Int?
    ) throws(OutboxError) -> String? {
        let key = stored.id.uuidString.lowercased()
        if let earlier = confirmed.withLock({ $0[stored.id] }), earlier.revision == stored.revision {
            // The sink confirmed this revision but the outbox could not record it: record, do not resend.
            try outbox.markDelivered(
                id: stored.id, sink: sink.name, remoteID: earlier.receipt.remoteID, revision: stored.revision,
                now: clock.now())
            _ = confirmed.withLock { $0.removeValue(forKey: stored.id) }
            backoff.succeeded(stored.sessionID)
            logger.notice("recorded an earlier confirmation without sending again", metadata: ["episode": "\(key)"])
            return nil
        }
        if stored.delivery.deliveredRevision != nil, !sink.updatesInPlace {
            // The service already has this episode and cannot update it; sending it again would
            // create a second event. The newer revision stays in the outbox.
            try outbox.markDelivered(id: stored.id, sink: sink.name, revision: stored.revision, now: clock.now())
            report.alreadyPresent += 1
            logger.notice("revision not sent: \(sink.name) cannot update a delivered episode", metadata: ["episode": "\(key)"])
            return nil
        }
        // "Sent" is recorded before anything goes out; if it cannot be, nothing goes out.
        guard try outbox.beginAttempt(id: stored.id, owner: owner, revision: stored.revision, lease: lease, now: clock.now())
        else {
            logger.info("episode no longer ours to send (claimed elsewhere or already settled)", metadata: ["episode": "\(key)"])
            return nil
        }
        if stored.delivery.sentRevision == stored.revision {
            report.resentAfterUnknownOutcome += 1
            logger.warning(
                "sending again an episode whose previous attempt has no known outcome (the service may record it twice)",
                metadata: ["episode": "\(key)", "sink": "\(sink.name)"])
        }
        let evidence = try outbox.evidence(episodeID: stored.id)?.jpeg
        let shipment = Shipment(
            episode: stored, studentID: session.studentID, examID: session.examID, evidenceJPEG: evidence)
        let receipt: DeliveryReceipt
        DeliveryMetrics.attempted(sink: sink.name)
        do {
            receipt = try sink.deliver(shipment)
        } catch {
            DeliveryMetrics.failed(sink: sink.name, error)
            try record(error, for: stored, &backoff, &report, oneShot: oneShot, maxAttempts: maxAttempts)
            if case .unusable(let reason) = error { return reason }
            return nil
        }
        confirmed.withLock { $0[stored.id] = (stored.revision, receipt) }
        do {
            try outbox.markDelivered(
                id: stored.id, sink: sink.name, remoteID: receipt.remoteID, revision: stored.revision, now: clock.now())
        } catch {
            logger.error(
                "the sink confirmed an episode but the outbox cannot record it; it will be recorded, not resent: \(error)",
                metadata: ["episode": "\(key)"])
            throw error
        }
        _ = confirmed.withLock { $0.removeValue(forKey: stored.id) }
        backoff.succeeded(stored.sessionID)
        if receipt.alreadyPresent { report.alreadyPresent += 1 } else { report.delivered += 1 }
        logger.debug(
            "delivered", metadata: ["episode": "\(key)", "sink": "\(sink.name)", "remote": "\(receipt.remoteID ?? "-")"])
        return nil
    }

    private func record(
        _ failure: DeliveryFailure, for stored: StoredEpisode, _ backoff: inout SessionBackoff,
        _ report: inout ShipReport, oneShot: Bool, maxAttempts: Int?
    ) throws(OutboxError) {
        let key = stored.id.uuidString.lowercased()
        var retryAfter = 0.0
        if case .throttled(_, let seconds) = failure { retryAfter = seconds }
        switch failure {
        case .permanent(let reason):
            try outbox.markFailed(id: stored.id, reason: reason, permanent: true, serviceDidNotRecord: true, now: clock.now())
            report.rejected += 1
            logger.warning("episode rejected: \(reason)", metadata: ["episode": "\(key)", "sink": "\(sink.name)"])
        case .transient(let reason), .unreachable(let reason), .unusable(let reason), .throttled(let reason, _):
            // Kept pending with the reason, so `proctor episodes` shows why it is still waiting; a
            // failure the service certainly did not record leaves no unknown outcome behind.
            try outbox.markFailed(
                id: stored.id, reason: reason, permanent: false, serviceDidNotRecord: failure.serviceDidNotRecord, now: clock.now())
            report.transientFailures += 1
            report.lastTransientError = reason
            let failures = backoff.failed(
                stored.sessionID, now: clock.now(), policy: policy, unit: clock.random(), atLeast: retryAfter)
            if oneShot, let limit = maxAttempts, failures >= limit { backoff.abandon(stored.sessionID) }
            if oneShot, retryAfter > Self.longestOneShotWait { backoff.abandon(stored.sessionID) }
            logger.info(
                "delivery will be retried: \(reason)",
                metadata: ["episode": "\(key)", "sink": "\(sink.name)", "failures": .stringConvertible(failures)])
        }
    }

    private func finish(_ report: ShipReport) async -> ShipReport {
        var report = report
        await settleConfirmations()
        do {
            report.remaining = try outbox.pendingEpisodes(limit: Int(Int32.max), closedOnly: closedOnly).count
            report.heldElsewhere = try outbox.episodesHeldElsewhere(owner: owner, now: clock.now())
            report.stillOpen = try outbox.openEpisodeCount()
        } catch {
            report.halt = report.halt ?? .outbox(error.description)
        }
        return report
    }
}
