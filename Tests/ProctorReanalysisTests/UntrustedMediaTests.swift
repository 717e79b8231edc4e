import Foundation
import ProctorCore
import ProctorDatabaseTestSupport
import ProctorPostgres
import ProctorReanalysis
import ProctorTestSupport
import ProctorVision
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Reanalysis over a media root nobody vouches for, and when the analysis itself breaks: the real
/// PostgreSQL of scripts/with-postgres, real models, real photos, real symlinks and FIFOs.
@Suite(.serialized, .requiresModels)
struct UntrustedMediaTests {
    struct Seeded {
        let database: ServiceDatabase
        let evidence: StoredEvidence
        var ids: [String: Int64] = [:]
    }

    func seed(_ build: (inout Seeded, PostgresConnection) throws -> Void) throws -> Seeded {
        let database = try ServiceDatabase()
        let evidence = try StoredEvidence(database: database)
        var seeded = Seeded(database: database, evidence: evidence)
        let db = try database.connect()
        defer { db.close() }
        try build(&seeded, db)
        _ = try ReanalysisSchema.migrate(db)
        return seeded
    }

    func reanalyzer(_ seeded: Seeded, factory: VisionPipelineFactory = TestAssets.factory(), worker: String = "test", batch: Int = 8)
        throws -> Reanalyzer
    {
        let version = try PipelineVersion(factory: TestAssets.factory(), policy: VerdictPolicy())
        var settings = Reanalyzer.Settings(worker: worker, batchSize: batch, leaseSeconds: 60)
        settings.waitReportSeconds = 0.5
        settings.pollSeconds = 0.2
        return try Reanalyzer(
            databaseURL: seeded.database.url, analyzer: BatchAnalyzer(factory: factory, jobs: 2), policy: VerdictPolicy(),
            mediaRoot: seeded.evidence.media, queue: WorkQueue(version: version, selection: Selection()), settings: settings)
    }

    func finding(_ seeded: Seeded, _ key: String) throws -> [String?] {
        try #require(
            try seeded.database.query(
                "SELECT outcome, problem, findings->>'error' FROM proctor_reanalysis WHERE source = 'cheatingimage' AND image_id = $1",
                ["\(seeded.ids[key] ?? 0)"]
            ).first, "no finding for \(key)")
    }

    /// Item 13: a symlink out of the root is not read; one inside it is. Item 4: a FIFO never blocks.
    @Test func symlinksOutOfTheRootAreRefusedAndFIFOsNeverBlock() throws {
        let seeded = try seed { seeded, db in
            let outside = seeded.evidence.directory.path("outside")
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: TestAssets.photo("phone.jpg"), toPath: outside + "/phone.jpg")
            let images = seeded.evidence.media + "/cheating_images"
            let real = try seeded.evidence.place("phone.jpg", as: "cheating_images/violation_real.jpg")
            #expect(symlink(outside + "/phone.jpg", images + "/violation_escape.jpg") == 0)
            #expect(symlink("violation_real.jpg", images + "/violation_alias.jpg") == 0)
            #expect(symlink("/etc/passwd", images + "/violation_passwd.jpg") == 0)
            #expect(mkfifo(images + "/violation_fifo.jpg", 0o644) == 0)
            seeded.ids["real"] = try seeded.evidence.event("phone_detected", image: real, in: db)
            seeded.ids["escape"] = try seeded.evidence.event("phone_detected", image: "cheating_images/violation_escape.jpg", in: db)
            seeded.ids["alias"] = try seeded.evidence.event("phone_detected", image: "cheating_images/violation_alias.jpg", in: db)
            seeded.ids["passwd"] = try seeded.evidence.event("phone_detected", image: "cheating_images/violation_passwd.jpg", in: db)
            seeded.ids["fifo"] = try seeded.evidence.event("phone_detected", image: "cheating_images/violation_fifo.jpg", in: db)
        }
        let worker = try reanalyzer(seeded)
        #expect(try worker.prepare() == 5)
        let totals = try worker.run(shouldStop: { false })
        #expect(totals.processed == 5)
        #expect(try finding(seeded, "real")[0] == "confirmed")
        #expect(try finding(seeded, "alias")[0] == "confirmed")
        for key in ["escape", "passwd"] {
            let row = try finding(seeded, key)
            #expect(row[1] == "unreadable" && row[2]?.contains("out of the media root") == true, "\(key): \(row)")
        }
        let fifo = try finding(seeded, "fifo")
        #expect(fifo[1] == "unreadable" && fifo[2]?.contains("FIFO") == true, "\(fifo)")
    }

    /// Item 17: a model that cannot load is not the images' fault: nothing is stored, the batch goes back.
    @Test func anAnalysisFailureGivesTheBatchBackInsteadOfJudging() throws {
        let seeded = try seed { seeded, db in
            let phone = try seeded.evidence.place("phone.jpg", as: "cheating_images/violation_p.jpg")
            let zidane = try seeded.evidence.place("zidane.jpg", as: "cheating_images/violation_z.jpg")
            seeded.ids["phone"] = try seeded.evidence.event("phone_detected", image: phone, in: db)
            seeded.ids["zidane"] = try seeded.evidence.event("multiple_faces", image: zidane, in: db)
        }
        var broken = TestAssets.factory()
        let garbage = try seeded.evidence.directory.write("broken-yunet.onnx", Array("not a model".utf8))
        broken.faceModelPath = garbage
        let worker = try reanalyzer(seeded, factory: broken)
        #expect(try worker.prepare() == 2)
        let totals = try worker.run(shouldStop: { false })
        #expect(totals.processed == 0)
        #expect(totals.givenBack == 2)
        #expect(totals.stoppedBy?.contains("given back") == true, "\(totals.stoppedBy ?? "nil")")
        #expect(try seeded.database.count("SELECT count(*) FROM proctor_reanalysis") == 0)
        #expect(try seeded.database.count("SELECT count(*) FROM proctor_reanalysis_queue WHERE claimed_by IS NOT NULL") == 0)

        // With working models the same images are judged normally afterwards.
        let healthy = try reanalyzer(seeded)
        _ = try healthy.prepare()
        #expect(try healthy.run(shouldStop: { false }).processed == 2)
        #expect(try finding(seeded, "phone")[0] == "confirmed")
    }

    /// Item 17: a worker waiting on another's lease says so at once and then at a fixed interval.
    @Test func waitingOnAnotherWorkersLeaseIsReported() throws {
        let seeded = try seed { seeded, db in
            let phone = try seeded.evidence.place("phone.jpg", as: "cheating_images/violation_p.jpg")
            seeded.ids["phone"] = try seeded.evidence.event("phone_detected", image: phone, in: db)
        }
        let waiter = try reanalyzer(seeded, worker: "waiter")
        #expect(try waiter.prepare() == 1)
        // Another worker holds the only row for 3 s, then dies without releasing it.
        let db = try seeded.database.connect()
        defer { db.close() }
        #expect(try waiter.queue.claim(db, worker: "other", limit: 10, lease: 3).count == 1)
        var reports: [(remaining: Int, expiry: Double?)] = []
        let totals = try waiter.run(shouldStop: { false }, waiting: { reports.append(($0, $1)) })
        #expect(totals.processed == 1)
        #expect(reports.count >= 3, "\(reports.count) reports while waiting about 3 s at a 0.5 s interval")
        #expect(reports.count <= 10)
        #expect(reports.allSatisfy { $0.remaining == 1 })
        #expect((reports.first?.expiry ?? 0) > 1)
    }

    /// Item 4: SIGTERM mid-batch ends `proctor reanalyze` within 10 s, the batch in progress given back.
    @Test func sigtermMidBatchEndsWithinTenSecondsAndGivesTheBatchBack() throws {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let seeded = try seed { seeded, db in try seeded.evidence.seedRepeated(300, in: db) }
        let run = try RunningCommand(
            proctor,
            ["reanalyze", "--database-url", seeded.database.url, "--media-root", seeded.evidence.media, "--jobs", "1", "--batch-size", "300"])
        let claimed = try RunningCommand.eventually(within: 60) {
            try seeded.database.count("SELECT count(*) FROM proctor_reanalysis_queue WHERE claimed_by IS NOT NULL AND NOT done") > 0
        }
        try #require(claimed, "no batch claimed: \(run.stderr)")
        Thread.sleep(forTimeInterval: 1)  // well inside the batch: 300 images take far longer than 10 s
        let sent = Date()
        run.signal(SIGTERM)
        let ended = run.wait(seconds: 10)
        try #require(ended, "reanalyze still running 10 s after SIGTERM")
        #expect(Date().timeIntervalSince(sent) < 10)
        #expect(run.exitStatus == 128 + SIGTERM, "stderr: \(run.stderr)")
        #expect(try seeded.database.count("SELECT count(*) FROM proctor_reanalysis_queue WHERE claimed_by IS NOT NULL AND NOT done") == 0)
        #expect(try seeded.database.count("SELECT count(*) FROM proctor_reanalysis") == 0)
    }
}
