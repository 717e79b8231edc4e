import ProctorDatabaseTestSupport
import Foundation
import ProctorDelivery
import ProctorOutbox
import ProctorTestSupport
import Testing
import ProctorPostgres

#if canImport(Glibc)
import Glibc
#endif

/// The Postgres sink against the real server scripts/with-postgres starts. Serialized: one test
/// restarts that server.
@Suite(.serialized) struct PostgresDeliveryTests {
    private func sink(_ database: TestDatabase, mediaRoot: String) -> PostgresSink {
        PostgresSink(configuration: PostgresConfiguration(url: database.url, mediaRoot: mediaRoot))
    }

    @Test func episodesLandExactlyOnceWithTheirEvidenceFiles() async throws {
        let database = try TestDatabase()
        let directory = try TemporaryDirectory()
        let media = directory.path("media")
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, sessions: 2, perSession: 3)
        let report = await Shipper(outbox: outbox, sink: sink(database, mediaRoot: media), clock: TestClock()).drain()
        #expect(report.isComplete)
        #expect(report.delivered == 6)

        let perEpisode = try database.eventsPerEpisode()
        #expect(perEpisode.count == 6)
        #expect(perEpisode.values.allSatisfy { $0 == 1 })
        let students = try database.query("SELECT clerk_id, name, email, photo FROM proctoring_student ORDER BY clerk_id")
        #expect(students.map { $0.compactMap { $0 } } == [
            ["student-0", "Student", "student-0@student.local", ""], ["student-1", "Student", "student-1@student.local", ""],
        ])
        for id in ids {
            let stored = try #require(try outbox.episode(id: id))
            #expect(stored.delivery.state == .delivered)
            let path = PostgresSink.imagePath(for: id)
            let row = try #require(
                try database.query(
                    """
                    SELECT e.id, e.cheating_flag, e.event_type, extract(epoch FROM e."timestamp"), e.detected_objects::text,
                        e.tab_switch_count
                    FROM proctoring_cheatingevent e JOIN proctoring_cheatingimage i ON i.event_id = e.id WHERE i.image = $1
                    """, [path]
                ).first)
            #expect(row[0] == stored.delivery.remoteID)
            #expect(row[1] == "t")
            #expect(row[2] == "phone_detected")
            #expect(row[3].flatMap(Double.init) == stored.startedAt.timeIntervalSince1970)
            #expect(row[4] == #"["cell phone", "person"]"#)
            #expect(row[5] == "0")
            let file = (media as NSString).appendingPathComponent(path)
            #expect(FileManager.default.contents(atPath: file) == DeliveryFixture.photo)
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o640)
        }
        // No temp files left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: media + "/cheating_images")
        #expect(names.count == 6 && names.allSatisfy { $0.hasPrefix("violation_") })
    }

    @Test func aReplayCreatesNoSecondEvent() throws {
        let database = try TestDatabase()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 1)
        let episode = try #require(try outbox.episode(id: ids[0]))
        let shipment = Shipment(episode: episode, studentID: "user_1", examID: "e", evidenceJPEG: DeliveryFixture.photo)
        let postgres = sink(database, mediaRoot: directory.url.path)
        let first = try postgres.deliver(shipment)
        let second = try postgres.deliver(shipment)
        #expect(!first.alreadyPresent)
        #expect(second.alreadyPresent)
        #expect(second.remoteID == first.remoteID)
        #expect(try database.count("SELECT count(*) FROM proctoring_cheatingevent") == 1)
        #expect(try database.count("SELECT count(*) FROM proctoring_cheatingimage") == 1)
        #expect(try database.count("SELECT count(*) FROM proctoring_student") == 1)
    }

    @Test func anEpisodeWithoutAFrameGetsAPlaceholderImage() async throws {
        let database = try TestDatabase()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 1, evidence: nil)
        let report = await Shipper(outbox: outbox, sink: sink(database, mediaRoot: directory.url.path), clock: TestClock())
            .drain()
        #expect(report.delivered == 1)
        let file = directory.path(PostgresSink.imagePath(for: ids[0]))
        let bytes = try #require(FileManager.default.contents(atPath: file))
        #expect(bytes.prefix(2) == Data([0xFF, 0xD8]))
    }

    @Test func anUnwritableMediaRootStopsDeliveryWithAClearErrorAndMarksNothing() async throws {
        let database = try TestDatabase()
        let directory = try TemporaryDirectory()
        // Tests run as root, which ignores permission bits: a file where the image directory must go
        // makes the media root unwritable for anyone.
        let media = directory.path("media")
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: media + "/cheating_images"))
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try DeliveryFixture.fill(outbox, perSession: 3)
        let report = await Shipper(outbox: outbox, sink: sink(database, mediaRoot: media), clock: TestClock()).drain()
        let reason = try #require(report.stoppedBy)
        #expect(reason.hasPrefix("media root \(media): cannot write cheating_images/violation_"))
        #expect(reason.hasSuffix("Not a directory"))
        #expect(report.delivered == 0)
        #expect(try outbox.pendingEpisodes(limit: 10).count == 3)
        #expect(try database.count("SELECT count(*) FROM proctoring_cheatingevent") == 0)

        let missing = await Shipper(
            outbox: outbox, sink: sink(database, mediaRoot: directory.path("nowhere")), clock: TestClock()
        ).drain()
        #expect(missing.stoppedBy == "media root \(directory.path("nowhere")) does not exist")
    }

    @Test func aPostgresRestartMidDeliveryLosesAndDoublesNothing() async throws {
        let database = try TestDatabase()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, sessions: 3, perSession: 15)
        let restarter = RestartingSink(inner: sink(database, mediaRoot: directory.url.path), restartAfter: 10)
        let shipper = Shipper(
            outbox: outbox, sink: restarter,
            policy: RetryPolicy(baseDelay: 0.05, maxDelay: 0.5, maxAttempts: 200))
        let report = await shipper.drain()
        restarter.waitForRestart()
        #expect(restarter.restartError == nil, "\(restarter.restartError ?? "")")
        #expect(report.isComplete, "\(report)")
        #expect(report.transientFailures > 0, "the restart never hit a delivery")
        let perEpisode = try database.eventsPerEpisode()
        #expect(perEpisode.count == ids.count)
        #expect(perEpisode.values.allSatisfy { $0 == 1 })
        #expect(try database.count("SELECT count(*) FROM proctoring_cheatingevent") == ids.count)
    }

    @Test func aShipperKilledMidDeliveryResumesWithoutLossOrDuplicates() throws {
        let proctor = try #require(TestAssets.proctorBinary, "the proctor binary is not built next to the tests")
        let database = try TestDatabase()
        let directory = try TemporaryDirectory()
        let media = directory.path("media")
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        let path = directory.path("outbox.sqlite")
        let outbox = try Outbox(path: path)
        let ids = try DeliveryFixture.fill(outbox, sessions: 3, perSession: 60)
        outbox.close()
        let arguments = ["ship", "--outbox", path, "--database-url", database.url, "--media-root", media, "--quiet"]

        var kills = 0
        for target in [15, 70] {
            let shipper = try RunningCommand(proctor, arguments)
            let deadline = Date().addingTimeInterval(8)
            while shipper.process.isRunning, Date() < deadline,
                (try? database.count("SELECT count(*) FROM proctoring_cheatingevent")) ?? 0 < target
            {
                usleep(2_000)
            }
            if shipper.process.isRunning {
                shipper.signal(SIGKILL)
                kills += 1
            }
            try #require(shipper.wait(seconds: 60), "the shipper did not end within 60 s: \(shipper.stderr)")
        }
        #expect(kills == 2, "the shipper finished before it could be killed")
        let final = try CommandRunner.run(proctor, arguments)
        #expect(final.status == 0, "\(final.stderr)")
        let perEpisode = try database.eventsPerEpisode()
        #expect(perEpisode.count == ids.count)
        #expect(perEpisode.values.allSatisfy { $0 == 1 }, "duplicated: \(perEpisode.filter { $0.value > 1 })")
        #expect(try database.count("SELECT count(*) FROM proctoring_cheatingevent") == ids.count)
        let reopened = try Outbox(path: path)
        #expect(try reopened.pendingEpisodes(limit: 1_000).isEmpty)
    }

    @Test func shipAndDoctorReportWithoutSecrets() throws {
        let proctor = try #require(TestAssets.proctorBinary, "the proctor binary is not built next to the tests")
        let database = try TestDatabase()
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        let outbox = try Outbox(path: path)
        try DeliveryFixture.fill(outbox, perSession: 2)
        outbox.close()
        // The server trusts loopback, so the password is accepted and ignored: it must still never print.
        guard var parts = URLComponents(string: database.url) else { throw TestDatabaseError("bad url") }
        parts.password = "hunter2"
        let secretURL = try #require(parts.string)

        let blocked = try CommandRunner.run(
            proctor, ["ship", "--outbox", path, "--database-url", secretURL, "--media-root", directory.path("nowhere")])
        #expect(blocked.status == 78)
        #expect(blocked.stderr.contains("media root"))

        let doctor = try CommandRunner.run(
            proctor, ["doctor", "--no-camera", "--outbox", path, "--database-url", secretURL, "--media-root", directory.url.path])
        #expect(doctor.status == 0, "\(doctor.stdout)")
        #expect(doctor.stdout.contains("ok    database: postgresql://***@"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("ok    media root"))
        #expect(!(doctor.stdout + doctor.stderr + blocked.stdout + blocked.stderr).contains("hunter2"))

        let shipped = try CommandRunner.run(
            proctor, ["ship", "--outbox", path, "--database-url", secretURL, "--media-root", directory.url.path])
        #expect(shipped.status == 0, "\(shipped.stderr)")
        #expect(shipped.stdout.contains("delivered 2"))
    }

    @Test func doctorFindsAMissingSchema() throws {
        let database = try TestDatabase()
        _ = try database.query("DROP TABLE proctoring_cheatingimage")
        let connection = try PostgresConnection(url: database.url)
        defer { connection.close() }
        let missing = try ProctoringSchema.missingColumns(in: connection)
        #expect(missing == ["id", "event_id", "image", "timestamp"].map { "proctoring_cheatingimage.\($0)" })
    }
}

/// Passes deliveries through and restarts the PostgreSQL server, on another thread, after a few.
final class RestartingSink: DeliverySink, @unchecked Sendable {
    // `lock` guards the counters and the error; the inner sink is itself thread-safe.
    let name = "postgres"
    let updatesInPlace = true
    private let inner: PostgresSink
    private let restartAfter: Int
    private let lock = NSLock()
    private var count = 0
    private var error: String?
    private let done = DispatchSemaphore(value: 0)
    private var started = false

    init(inner: PostgresSink, restartAfter: Int) {
        self.inner = inner
        self.restartAfter = restartAfter
    }

    var restartError: String? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }

    func waitForRestart() {
        lock.lock()
        let wasStarted = started
        lock.unlock()
        if wasStarted { done.wait() }
    }

    func deliver(_ shipment: Shipment) throws(DeliveryFailure) -> DeliveryReceipt {
        lock.lock()
        count += 1
        let trigger = count == restartAfter
        if trigger { started = true }
        lock.unlock()
        if trigger {
            let thread = Thread { [self] in
                do {
                    try TestDatabase.restartServer()
                } catch {
                    lock.lock()
                    self.error = "\(error)"
                    lock.unlock()
                }
                done.signal()
            }
            thread.start()
        }
        return try inner.deliver(shipment)
    }
}
