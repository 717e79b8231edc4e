import Foundation
import ProctorCore
import ProctorDelivery
import ProctorOutbox
import ProctorPostgres
import ProctorTestSupport
import Synchronization
import Testing

/// Issue 9: nothing doubled, nothing leaked, nothing trusted too much on the REST path, against the
/// real HTTP server of the test support.
@Suite struct DeliveryTrustTests {
    private func sink(_ baseURL: URL, timeout: Double = 2, token: String? = "s3cret-token") -> APISink {
        APISink(configuration: APIConfiguration(baseURL: baseURL, token: token, timeout: timeout))
    }

    // MARK: 6. Concurrent shippers

    @Test(.timeLimit(.minutes(2)))
    func twoShippersOnOneOutboxSendEveryEpisodeOnce() async throws {
        let service = try FakeProctoringService()
        // A little latency per call, so the two shippers really overlap.
        service.answerAfter(seconds: 0.02)
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        let setup = try Outbox(path: path)
        let ids = try DeliveryFixture.fill(setup, sessions: 4, perSession: 6, evidence: nil)
        setup.close()
        // Two connections to one file, as two processes have (the monitor's shipper and `proctor ship`),
        // each shipper on its own executor. The real clock: each waits for the other's claims in real
        // time (virtual sleeps would use up the 30 s wait for held episodes while the other still sends).
        @Sendable func ship() async throws -> ShipReport {
            let outbox = try Outbox(path: path)
            defer { outbox.close() }
            return await Shipper(outbox: outbox, sink: sink(service.baseURL), heldWait: 30).drain()
        }
        async let first = ship()
        async let second = ship()
        let done = try await [first, second]
        #expect(service.violationCalls == ids.count, "each episode POSTed once, got \(service.violationCalls) for \(ids.count)")
        #expect(Set(service.events.compactMap(\.idempotencyKey)) == Set(ids.map { $0.uuidString.lowercased() }))
        #expect(done.map(\.delivered).reduce(0, +) == ids.count)
        #expect(done.allSatisfy { $0.remaining == 0 })
        let check = try Outbox(path: path)
        #expect(try check.episodes().allSatisfy { $0.delivery.state == .delivered })
    }

    @Test func aClaimOfADeadShipperIsTakenOverAtOnce() throws {
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 2, evidence: nil)
        // A claim by a process that no longer exists (pid 2^22+1 is beyond Linux's pid_max default range).
        let dead = "\(ProcessIdentity.current.bootID)/4194305/1/x"
        let live = "\(ProcessIdentity.current)/y"
        let taken = try outbox.claimPending(owner: dead, limit: 10, closedOnly: true, lease: 600)
        #expect(taken.episodes.count == 2)
        let mine = try outbox.claimPending(owner: live, limit: 10, closedOnly: true, lease: 600)
        #expect(mine.episodes.map(\.id) == ids)
        // And a live claim is respected.
        let other = try outbox.claimPending(owner: "\(ProcessIdentity.current)/z", limit: 10, closedOnly: true, lease: 600)
        #expect(other.episodes.isEmpty)
        #expect(other.heldElsewhere == 2)
    }

    // MARK: 7. A confirmation the outbox could not record is never re-sent

    @Test func aFailedCommitAfterASuccessfulPOSTDoesNotSendAgain() async throws {
        let service = try FakeProctoringService()
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        let outbox = try Outbox(path: path)
        try DeliveryFixture.fill(outbox, perSession: 1, evidence: nil)
        // After the service committed, another process takes the outbox's write lock for longer than
        // the busy timeout: recording "delivered" fails, as it would on a full disk.
        let locker = LockAfterFirstDelivery(inner: sink(service.baseURL), path: path, seconds: 7)
        let report = await Shipper(outbox: outbox, sink: locker, clock: TestClock()).drain()
        locker.waitForLockHolder()
        #expect(service.violationCalls == 1, "POSTed \(service.violationCalls) times")
        #expect(service.events.count == 1)
        #expect(report.remaining == 0)
        #expect(try outbox.episodes().allSatisfy { $0.delivery.state == .delivered && $0.delivery.remoteID == "1" })
    }

    @Test func anEpisodeWhoseOutboxMarkSentFailsIsNotSent() async throws {
        let service = try FakeProctoringService()
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        let outbox = try Outbox(path: path)
        try DeliveryFixture.fill(outbox, perSession: 1, evidence: nil)
        let holder = try WriteLockHolder(path: path, seconds: 6)
        defer { holder.wait() }
        // One attempt: the claim itself cannot be written while the lock is held, so nothing is sent.
        let report = await Shipper(outbox: outbox, sink: sink(service.baseURL), clock: TestClock()).drain(maxAttempts: 1)
        #expect(service.violationCalls == 0)
        #expect(report.stoppedBy?.contains("outbox") == true)
        // The outbox's trouble, typed as such: `proctor ship` exits 74 for it, not 78 (configuration).
        let isOutboxHalt = if case .outbox = report.halt { true } else { false }
        #expect(isOutboxHalt, "\(String(describing: report.halt))")
    }

    // MARK: 9. Redirects and what counts as delivered

    @Test(arguments: [301, 302, 307, 308])
    func aRedirectIsAMisconfigurationAndCredentialsNeverTravel(status: Int) async throws {
        let elsewhere = Mutex<[TestHTTPRequest]>([])
        let other = try TestHTTPServer { request in
            elsewhere.withLock { $0.append(request) }
            return .respond(status: 200, json: #"{"success": true, "event_id": 99}"#)
        }
        let service = try FakeProctoringService()
        let location = "http://localhost:\(other.port)/api/record-violation/"
        service.inject([.redirect(status: status, location: location)])
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try DeliveryFixture.fill(outbox, perSession: 1, evidence: nil)
        let report = await Shipper(outbox: outbox, sink: sink(service.baseURL), clock: TestClock()).drain()
        #expect(elsewhere.withLock { $0.isEmpty }, "the redirect was followed")
        let reason = try #require(report.stoppedBy)
        #expect(reason.contains("HTTP \(status) redirect to \(location)"), "\(reason)")
        #expect(!reason.contains("s3cret"))
        #expect(report.delivered == 0)
        #expect(try outbox.episodes().allSatisfy { $0.delivery.state == .pending })
    }

    @Test func a200ThatIsNotTheServicesConfirmationIsNotDelivered() async throws {
        let service = try FakeProctoringService()
        service.inject([.foreignOK(body: "<html><body>Welcome to the hotel network. Please log in.</body></html>")])
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try DeliveryFixture.fill(outbox, perSession: 1, evidence: nil)
        let report = await Shipper(outbox: outbox, sink: sink(service.baseURL), clock: TestClock()).drain()
        let reason = try #require(report.stoppedBy)
        #expect(reason.contains("<html><body>Welcome to the hotel network"), "\(reason)")
        let episode = try #require(try outbox.episodes().first)
        #expect(episode.delivery.state == .pending)
        #expect(episode.delivery.lastError?.contains("without the service's confirmation") == true)
        // The next run, against the real service, delivers it.
        let again = await Shipper(outbox: outbox, sink: sink(service.baseURL), clock: TestClock()).drain()
        #expect(again.delivered == 1)
        #expect(service.events.count == 1)
    }

    // MARK: 10. The database password never leaks through libpq's messages

    @Test(arguments: [
        "postgresql://proctor:S3cret%zzPW@127.0.0.1:5432/service",
        "postgresql://proctor:S3cretPW@[::1/service",
        "postgresql://proctor:S3cretPW@127.0.0.1:99999/service",
        "host=127.0.0.1 dbname=service password='S3cretPW",
        "host=127.0.0.1 dbname=service password=S3cretPW port=abc",
    ])
    func aMalformedDatabaseURLIsAConfigurationErrorThatNamesNoSecret(url: String) async throws {
        let directory = try TemporaryDirectory()
        let media = directory.path("media")
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try DeliveryFixture.fill(outbox, perSession: 1, evidence: nil)
        let sink = PostgresSink(configuration: PostgresConfiguration(url: url, mediaRoot: media))
        let report = await Shipper(outbox: outbox, sink: sink, policy: RetryPolicy(maxAttempts: 2), clock: TestClock()).drain()
        // Unusable (ship exits 78), not transient: retrying a malformed URL cannot help.
        let reason = try #require(report.stoppedBy, "not a configuration error: \(report)")
        #expect(reason.contains("malformed") || reason.contains("invalid"), "\(reason)")
        #expect(!reason.contains("S3cret"), "\(reason)")
        let stored = try #require(try outbox.episodes().first)
        #expect(stored.delivery.lastError.map { !$0.contains("S3cret") } ?? true, "\(stored.delivery.lastError ?? "")")
        do {
            _ = try PostgresConnection(url: url, connectTimeout: 1)
            Issue.record("connected with \(url)")
        } catch {
            #expect(!error.description.contains("S3cret"), "\(error.description)")
        }
    }

    @Test func libpqTokensAndPasswordSpellingsAreScrubbed() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://u:S3cret%zzPW@127.0.0.1/db")
        }
        #expect(error?.isConfiguration == true)
        let failure = try #require(error).deliveryFailure
        guard case .unusable = failure else {
            Issue.record("a malformed URL must make the sink unusable, got \(failure)")
            return
        }
        #expect(error?.description.hasPrefix("the database URL is malformed") == true, "\(error?.description ?? "")")
    }

    /// An address typed without its scheme still has its password masked.
    @Test func aPasswordWithoutASchemeIsMasked() {
        #expect(Redaction.redact("user:pw-secret@127.0.0.1:8000/api") == "***@127.0.0.1:8000/api")
        #expect(Redaction.redact("cannot reach user:pw-secret@host now") == "cannot reach ***@host now")
        #expect(Redaction.redact("host=db password=x") == "host=db password=***")
        #expect(Redaction.redact("https://exams.example.org/api") == "https://exams.example.org/api")
    }

    // MARK: 8. Retry-After and longer timeouts on retries

    @Test func retryAfterOn429And503IsHonoured() async throws {
        let service = try FakeProctoringService()
        service.inject([.retryAfter(status: 429, value: "7"), .retryAfter(status: 503, value: "11")])
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try DeliveryFixture.fill(outbox, perSession: 1, evidence: nil)
        let clock = TestClock()
        let report = await Shipper(
            outbox: outbox, sink: sink(service.baseURL), policy: RetryPolicy(baseDelay: 0.5, jitter: 0), clock: clock
        ).drain()
        #expect(report.delivered == 1)
        // The backoff alone would wait 0.5 s then 1 s; the service asked for 7 s and 11 s.
        #expect(clock.sleeps.filter { $0 > 0 }.map { $0.rounded() } == [7, 11], "\(clock.sleeps)")
    }

    @Test func retriesWaitLongerForTheReplySoASlowServiceRecordsABoundedNumberOfEvents() async throws {
        let service = try FakeProctoringService()
        // The service commits at once and answers after 2.5 s; the timeout is 1 s.
        service.answerAfter(seconds: 2.5)
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try DeliveryFixture.fill(outbox, perSession: 1, evidence: nil)
        let api = sink(service.baseURL, timeout: 1)
        #expect([0, 1, 2, 3, 9].map { api.timeout(previousAttempts: $0) } == [1, 2, 4, 8, 8])
        let report = await Shipper(outbox: outbox, sink: api, clock: TestClock()).drain()
        #expect(report.delivered == 1)
        // Attempts wait 1 s and 2 s (both time out, both committed), then 4 s: delivered. Without
        // longer retries every attempt would time out and the run would end with 6 events, undelivered.
        #expect(service.events.count == 3, "\(service.events.count) events")
    }
}

/// Starts `python3` holding an SQLite write lock on a file for some seconds: another process, really.
final class WriteLockHolder: @unchecked Sendable {
    private let process = Process()

    init(path: String, seconds: Double) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute('BEGIN IMMEDIATE')
            print('locked', flush=True)
            time.sleep(float(sys.argv[2]))
            c.execute('COMMIT')
            """,
            path, "\(seconds)",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Returns once the lock is held.
        let line = out.fileHandleForReading.readData(ofLength: 7)
        guard String(decoding: line, as: UTF8.self).hasPrefix("locked") else {
            throw LockError(path: path)
        }
    }

    func wait() { process.waitUntilExit() }
}

struct LockError: Error, CustomStringConvertible {
    var path: String
    var description: String { "python3 could not lock \(path)" }
}

/// Delivers through `inner`, then, once, locks the outbox from another process before returning.
final class LockAfterFirstDelivery: DeliverySink {
    let name = "api"
    let updatesInPlace = false
    private let inner: APISink
    private let path: String
    private let seconds: Double
    private let holder = Mutex<WriteLockHolder?>(nil)
    private let locked = Mutex(false)

    init(inner: APISink, path: String, seconds: Double) {
        self.inner = inner
        self.path = path
        self.seconds = seconds
    }

    func deliver(_ shipment: Shipment) throws(DeliveryFailure) -> DeliveryReceipt {
        let receipt = try inner.deliver(shipment)
        let first = locked.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first, let started = try? WriteLockHolder(path: path, seconds: seconds) {
            holder.withLock { $0 = started }
        }
        return receipt
    }

    func waitForLockHolder() { holder.withLock { $0 }?.wait() }
}
