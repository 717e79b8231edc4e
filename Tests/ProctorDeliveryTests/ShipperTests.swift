import Foundation
import ProctorDelivery
import ProctorOutbox
import ProctorTestSupport
import Synchronization
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

    @Test func deliversEverythingInOrderAndMarksTheOutbox() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, sessions: 2, perSession: 3)
        let sink = ScriptedSink()
        let report = Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
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

    @Test func aTransientFailureHoldsBackItsSessionOnly() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, sessions: 2, perSession: 2)
        // Session 0's first episode fails twice; session 0's second must still go after it.
        let sink = ScriptedSink(failures: [ids[0]: [.transient("HTTP 500"), .transient("HTTP 500")]])
        let clock = TestClock()
        let report = Shipper(outbox: outbox, sink: sink, clock: clock).drain()
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

    @Test func aPermanentFailureIsRecordedAndDoesNotBlock() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 2)
        let sink = ScriptedSink(failures: [ids[0]: [.permanent("HTTP 400: Missing required fields")]])
        let report = Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        #expect(report.isComplete)
        #expect(report.rejected == 1)
        let failed = try #require(try outbox.episode(id: ids[0]))
        #expect(failed.delivery.state == .failed)
        #expect(failed.delivery.lastError == "HTTP 400: Missing required fields")
        #expect(try outbox.episode(id: ids[1])?.delivery.state == .delivered)
    }

    @Test func aOneShotDrainGivesUpAfterMaxAttemptsAndKeepsEpisodesPending() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 2)
        let sink = ScriptedSink(failures: [ids[0]: Array(repeating: .transient("connection refused"), count: 50)])
        let report = Shipper(outbox: outbox, sink: sink, policy: RetryPolicy(maxAttempts: 4), clock: TestClock()).drain()
        #expect(!report.isComplete)
        #expect(report.remaining == 2)
        #expect(sink.attempts == Array(repeating: ids[0], count: 4))
        let stored = try #require(try outbox.episode(id: ids[0]))
        #expect(stored.delivery.state == .pending)
        #expect(stored.delivery.lastError == "connection refused")
    }

    @Test func anUnusableSinkStopsTheRunAndMarksNothingDelivered() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 3)
        let sink = ScriptedSink(failures: [ids[0]: [.unusable("media root /m: Permission denied")]])
        let report = Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        #expect(report.halt == .sinkUnusable("media root /m: Permission denied"))
        #expect(report.stoppedBy == "media root /m: Permission denied")
        #expect(sink.delivered.isEmpty)
        #expect(try outbox.pendingEpisodes(limit: 10).count == 3)
    }

    @Test func aRevisionOfADeliveredEpisodeIsNotResentWhereTheSinkCannotUpdate() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 1)
        let sink = ScriptedSink(updatesInPlace: false)
        _ = Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        var record = try #require(try outbox.episode(id: ids[0])).record
        record.labels.insert("book")
        let sessionID = try #require(try outbox.episode(id: ids[0])).sessionID
        try outbox.upsertEpisode(sessionID: sessionID, episode: record)
        let report = Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        #expect(report.alreadyPresent == 1)
        #expect(sink.delivered == ids)
        #expect(try outbox.episode(id: ids[0])?.delivery.state == .delivered)
    }

    @Test func theBackgroundLoopDeliversWhatArrivesAndStops() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let sink = ScriptedSink()
        let shipper = Shipper(outbox: outbox, sink: sink, pollInterval: 30)
        let ended = Mutex(false)
        let loop = Thread {
            shipper.runUntilStopped()
            ended.withLock { $0 = true }
        }
        loop.start()
        let ids = try DeliveryFixture.fill(outbox, perSession: 3)
        shipper.wake()
        let deadline = Date().addingTimeInterval(5)
        while sink.delivered.count < 3, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        shipper.requestStop()
        // The loop sleeps up to its 30 s poll interval unless the stop request wakes it.
        let stopDeadline = Date().addingTimeInterval(5)
        while !ended.withLock({ $0 }), Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(ended.withLock { $0 }, "the loop did not end after requestStop()")
        #expect(sink.delivered == ids)
        #expect(try outbox.pendingEpisodes(limit: 10).isEmpty)
    }

    @Test func openEpisodesWaitUntilTheyClose() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try outbox.openSession(id: "s", studentID: "st", examID: "e", startedAt: DeliveryFixture.sessionStart)
        var open = DeliveryFixture.record(start: 1)
        open.endMedia = nil
        open.state = .open
        try outbox.upsertEpisode(sessionID: "s", episode: open)
        let sink = ScriptedSink()
        let report = Shipper(outbox: outbox, sink: sink, clock: TestClock()).drain()
        #expect(report.isComplete)
        #expect(sink.attempts.isEmpty)
    }
}
