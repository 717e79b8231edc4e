import Foundation
import ProctorDelivery
import ProctorOutbox
import ProctorTestSupport
import Testing

/// The shipper's ordering, retry and bookkeeping rules, against a scripted sink.
@Suite struct ShipperTests {
    @Test func backoffGrowsExponentiallyAndIsCappedAtSixtySeconds() {
        let policy = RetryPolicy(baseDelay: 0.5, maxDelay: 60, jitter: 0.5)
        let top = (1...12).map { policy.delay(afterFailures: $0, unit: 1) }
        #expect(top.prefix(5) == [0.5, 1, 2, 4, 8])
        #expect(top.allSatisfy { $0 <= 60 })
        #expect(top.last == 60)
        #expect(policy.delay(afterFailures: 1_000, unit: 1) == 60)
        // Jitter spreads the delay over its upper half.
        #expect(policy.delay(afterFailures: 4, unit: 0) == 2)
        #expect(policy.delay(afterFailures: 4, unit: 0.5) == 3)
    }

    @Test func deliversEverythingInOrderAndMarksTheOutbox() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, sessions: 2, perSession: 3)
        let sink = ScriptedSink()
        let report = await Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        #expect(report.isComplete)
        #expect(report.delivered == 6)
        #expect(sink.delivered == ids)
        for id in ids {
            let stored = try #require(try outbox.episode(id: id))
            #expect(stored.delivery.state == .delivered)
            #expect(stored.delivery.sink == "scripted")
            #expect(stored.delivery.remoteID?.hasPrefix("r-") == true)
        }
    }

    @Test func aTransientFailureHoldsBackItsSessionOnly() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, sessions: 2, perSession: 2)
        // Session 0's first episode fails twice; session 0's second must still go after it.
        let sink = ScriptedSink(failures: [ids[0]: [.transient("HTTP 500"), .transient("HTTP 500")]])
        let clock = TestClock()
        let report = await Shipper(outbox: outbox, sink: sink, clock: clock).drain()
        #expect(report.isComplete)
        #expect(report.transientFailures == 2)
        let order = sink.delivered
        #expect(order.firstIndex(of: ids[0]).map { a in order.firstIndex(of: ids[1]).map { a < $0 } } == true)
        // Session 1 was not held up: both its episodes went before session 0's retry.
        #expect(Array(order.prefix(2)) == [ids[2], ids[3]])
        #expect(clock.sleeps == [0.5, 1])
        let stored = try #require(try outbox.episode(id: ids[0]))
        #expect(stored.delivery.state == .delivered)
        #expect(stored.delivery.attempts == 3)
    }

    /// Only an attempt whose outcome is unknown (a timeout, a 5xx) makes the next one a possible double;
    /// after a refused connection the service certainly has nothing, and no warning is due.
    @Test func onlyAnUnknownOutcomeCountsAsAResend() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, sessions: 2, perSession: 1)
        let sink = ScriptedSink(failures: [
            ids[0]: [.unreachable("connection refused"), .unreachable("connection refused")],
            ids[1]: [.transient("timed out")],
        ])
        let report = await Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        #expect(report.isComplete && Set(sink.delivered) == Set(ids))
        #expect(report.transientFailures == 3)
        #expect(report.resentAfterUnknownOutcome == 1, "only the episode after the timeout")
    }

    @Test func aPermanentFailureIsRecordedAndDoesNotBlock() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 2)
        let sink = ScriptedSink(failures: [ids[0]: [.permanent("HTTP 400: Missing required fields")]])
        let report = await Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        #expect(report.isComplete)
        #expect(report.rejected == 1)
        let failed = try #require(try outbox.episode(id: ids[0]))
        #expect(failed.delivery.state == .failed)
        #expect(failed.delivery.lastError == "HTTP 400: Missing required fields")
        #expect(try outbox.episode(id: ids[1])?.delivery.state == .delivered)
    }

    @Test func aOneShotDrainGivesUpAfterMaxAttemptsAndKeepsEpisodesPending() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 2)
        let sink = ScriptedSink(failures: [ids[0]: Array(repeating: .transient("connection refused"), count: 50)])
        let report = await Shipper(outbox: outbox, sink: sink, policy: RetryPolicy(maxAttempts: 4), clock: TestClock()).drain()
        #expect(!report.isComplete)
        #expect(report.remaining == 2)
        #expect(sink.attempts == Array(repeating: ids[0], count: 4))
        let stored = try #require(try outbox.episode(id: ids[0]))
        #expect(stored.delivery.state == .pending)
        #expect(stored.delivery.lastError == "connection refused")
    }

    @Test func anUnusableSinkStopsTheRunAndMarksNothingDelivered() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 3)
        let sink = ScriptedSink(failures: [ids[0]: [.unusable("media root /m: Permission denied")]])
        let report = await Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        #expect(report.halt == .sinkUnusable("media root /m: Permission denied"))
        #expect(report.stoppedBy == "media root /m: Permission denied")
        #expect(sink.delivered.isEmpty)
        #expect(try outbox.pendingEpisodes(limit: 10).count == 3)
    }

    @Test func aRevisionOfADeliveredEpisodeIsNotResentWhereTheSinkCannotUpdate() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 1)
        let sink = ScriptedSink(updatesInPlace: false)
        _ = await Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        var record = try #require(try outbox.episode(id: ids[0])).record
        record.labels.insert("book")
        let sessionID = try #require(try outbox.episode(id: ids[0])).sessionID
        try outbox.upsertEpisode(sessionID: sessionID, episode: record)
        let report = await Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        #expect(report.alreadyPresent == 1)
        #expect(sink.delivered == ids)
        #expect(try outbox.episode(id: ids[0])?.delivery.state == .delivered)
    }

    @Test(.timeLimit(.minutes(1)))
    func theBackgroundLoopIsWokenByNewEpisodesAndByAStop() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let sink = ScriptedSink()
        // Virtual time stands still: the loop gets past a sleep only when something cuts it short.
        let clock = FrozenClock()
        var sleeps = clock.sleepsStarted.makeAsyncIterator()
        let shipper = Shipper(outbox: outbox, sink: sink, clock: clock, pollInterval: 30)
        let loop = Task { await shipper.runUntilStopped() }
        // Nothing pending: the loop sleeps its poll interval.
        #expect(await sleeps.next() == 30)
        let ids = try DeliveryFixture.fill(outbox, perSession: 3)
        shipper.wake()
        // The next sleep begins once the pass the wake-up started is over.
        #expect(await sleeps.next() == 30)
        #expect(clock.cutShort == 1, "the wake-up did not end the sleep")
        #expect(sink.delivered == ids)
        shipper.requestStop()
        await loop.valueUnlessCancelled
        #expect(clock.cutShort == 2, "the stop did not end the sleep")
        #expect(clock.requested == [30, 30])
        #expect(try outbox.pendingEpisodes(limit: 10).isEmpty)
    }

    @Test(.timeLimit(.minutes(1)))
    func aDrainWaitingToRetryEndsAtOnceWhenStopped() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 2)
        let sink = ScriptedSink(failures: [ids[0]: [.transient("HTTP 503")]])
        let clock = FrozenClock()
        var sleeps = clock.sleepsStarted.makeAsyncIterator()
        let shipper = Shipper(outbox: outbox, sink: sink, clock: clock)
        let drain = Task { await shipper.drain() }
        // The first failure backs the session off 0.5 s (the top of the jitter range).
        #expect(await sleeps.next() == 0.5)
        shipper.requestStop()
        let report = await drain.valueUnlessCancelled
        #expect(report.halt == .stopped)
        #expect(clock.cutShort == 1, "the stop did not end the sleep")
        #expect(sink.attempts == [ids[0]])
        #expect(report.remaining == 2)
    }

    @Test(.timeLimit(.minutes(1)))
    func cancellingTheLoopsTaskEndsItsSleepAndTheLoop() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let clock = FrozenClock()
        var sleeps = clock.sleepsStarted.makeAsyncIterator()
        let shipper = Shipper(outbox: outbox, sink: ScriptedSink(), clock: clock, pollInterval: 30)
        let loop = Task { await shipper.runUntilStopped() }
        #expect(await sleeps.next() == 30)
        loop.cancel()
        await loop.valueUnlessCancelled
        #expect(clock.cutShort == 1, "the cancellation did not end the sleep")
        // The loop can be run again afterwards: nothing was left marked as running or stopping.
        let again = Task { await shipper.runUntilStopped() }
        #expect(await sleeps.next() == 30)
        shipper.requestStop()
        await again.valueUnlessCancelled
        #expect(clock.cutShort == 2)
    }

    @Test(.timeLimit(.minutes(1)))
    func blockedDeliveriesLeaveTheCooperativePoolFree() async throws {
        // More shippers stuck in a delivery than the pool has threads: were their blocking calls on
        // the pool, nothing else could run until the sink gave up (20 s), and it would count that.
        let shippers = ProcessInfo.processInfo.activeProcessorCount + 2
        let directory = try TemporaryDirectory()
        let sink = GatedSink(seconds: 20)
        var drains: [Task<ShipReport, Never>] = []
        for index in 0..<shippers {
            let outbox = try Outbox(path: directory.path("outbox-\(index).sqlite"))
            try DeliveryFixture.fill(outbox, perSession: 1, evidence: nil)
            let shipper = Shipper(outbox: outbox, sink: sink, clock: TestClock())
            drains.append(Task { await shipper.drain() })
        }
        // This task, on the pool, sees every delivery blocked at once and opens the gate.
        var entered = sink.entered.makeAsyncIterator()
        for _ in 0..<shippers { await entered.next() }
        sink.open(shippers)
        var delivered = 0
        for drain in drains { delivered += await drain.valueUnlessCancelled.delivered }
        #expect(sink.timedOut == 0, "\(sink.timedOut) deliveries waited out the gate: the pool was blocked")
        #expect(delivered == shippers)
    }

    @Test func openEpisodesWaitUntilTheyClose() async throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try outbox.openSession(id: "s", studentID: "st", examID: "e", startedAt: DeliveryFixture.sessionStart)
        var open = DeliveryFixture.record(start: 1)
        open.endMedia = nil
        open.state = .open
        try outbox.upsertEpisode(sessionID: "s", episode: open)
        let sink = ScriptedSink()
        let report = await Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        #expect(report.isComplete)
        #expect(sink.attempts.isEmpty)
    }
}
