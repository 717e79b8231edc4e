import ProctorDatabaseTestSupport
import Foundation
import ProctorPostgres
import ProctorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Replicas of `proctor reanalyze` (the real binary) sharing one queue, one of them SIGKILLed mid-batch.
@Suite(.serialized, .requiresModels)
struct ConcurrentWorkersTests {
    static let images = 36

    @Test func threeWorkersOneKilledLeaveExactlyOneFindingPerImage() throws {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let database = try ServiceDatabase()
        let evidence = try StoredEvidence(database: database)
        let db = try database.connect()
        defer { db.close() }
        try evidence.seedRepeated(Self.images, in: db)
        let migrate = try CommandRunner.run(proctor, ["db", "migrate", "--database-url", database.url])
        #expect(migrate.status == 0, "\(migrate.stderr)")

        let common = [
            "reanalyze", "--database-url", database.url, "--media-root", evidence.media, "--jobs", "1", "--batch-size", "3", "--lease", "3",
        ]
        let workers = try (0..<3).map { index in try RunningCommand(proctor, common + ["--worker-id", "w\(index)"]) }
        // Kill w0 while it holds a claimed, unfinished batch (after it has finished at least one).
        let deadline = Date().addingTimeInterval(120)
        var killed = false
        while Date() < deadline, workers[0].process.isRunning {
            let holding = try database.count(
                "SELECT count(*) FROM proctor_reanalysis_queue WHERE claimed_by = 'w0' AND NOT done AND lease_until > now()")
            let finished = try database.count("SELECT count(*) FROM proctor_reanalysis WHERE analyzed_by = 'w0'")
            if holding > 0, finished > 0 {
                workers[0].signal(SIGKILL)
                killed = true
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(killed, "w0 never held a batch: \(workers[0].stdout)\(workers[0].stderr)")
        for (index, worker) in workers.enumerated() {
            try #require(worker.wait(seconds: 300), "w\(index) still running after 300 s: \(worker.stderr)")
        }
        #expect(workers[0].killingSignal == SIGKILL)
        for index in 1...2 {
            #expect(workers[index].exitStatus == 0, "w\(index): \(workers[index].stdout)\(workers[index].stderr)")
        }
        let counts = try #require(
            try database.query("SELECT count(*), count(DISTINCT image_id) FROM proctor_reanalysis WHERE source = 'cheatingimage'").first)
        #expect(counts == ["\(Self.images)", "\(Self.images)"])
        #expect(try database.count("SELECT count(*) FROM proctor_reanalysis_queue WHERE NOT done") == 0)
        let missing = try database.count(
            "SELECT count(*) FROM proctoring_cheatingimage i WHERE NOT EXISTS (SELECT 1 FROM proctor_reanalysis r WHERE r.image_id = i.id)")
        #expect(missing == 0)
        // The survivors took over w0's expired lease.
        #expect(try database.count("SELECT count(DISTINCT analyzed_by) FROM proctor_reanalysis") == 3)
    }

    @Test func withoutTheTablesTheCommandSaysToMigrate() throws {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let database = try ServiceDatabase()
        let evidence = try StoredEvidence(database: database)
        let result = try CommandRunner.run(proctor, ["reanalyze", "--database-url", database.url, "--media-root", evidence.media])
        #expect(result.status == 78)
        #expect(result.stderr.contains("proctor db migrate"))
        #expect(!result.stderr.contains("postgres@"), "the URL's user must be redacted")
    }
}
