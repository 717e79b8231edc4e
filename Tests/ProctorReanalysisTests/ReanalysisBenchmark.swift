import ProctorDatabaseTestSupport
import Foundation
import ProctorTestSupport
import Testing

/// images/s of `proctor reanalyze` with --jobs 1 and 2 over a seeded table, and the database path's
/// overhead over folder mode on the same files. A benchmark, not a timed test: runs only under
/// scripts/bench-reanalysis (PROCTOR_BENCH_REANALYSIS=1) and asserts nothing about speed.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["PROCTOR_BENCH_REANALYSIS"] == "1",
        "a benchmark: scripts/bench-reanalysis runs it (PROCTOR_BENCH_REANALYSIS=1)"))
struct ReanalysisBenchmark {
    @Test func throughputAndDatabaseOverhead() throws {
        let rows = Int(ProcessInfo.processInfo.environment["PROCTOR_BENCH_ROWS"] ?? "") ?? 2000
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let database = try ServiceDatabase()
        let evidence = try StoredEvidence(database: database)
        let db = try database.connect()
        defer { db.close() }
        try evidence.seedRepeated(rows, in: db)
        #expect(try CommandRunner.run(proctor, ["db", "migrate", "--database-url", database.url]).status == 0)

        func reanalyze(jobs: Int) throws -> (seconds: Double, analysis: Double, database: Double) {
            try db.execute("TRUNCATE proctor_reanalysis, proctor_reanalysis_queue")
            let start = Date()
            let result = try CommandRunner.run(
                proctor, ["reanalyze", "--database-url", database.url, "--media-root", evidence.media, "--jobs", "\(jobs)"])
            let seconds = Date().timeIntervalSince(start)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try database.count("SELECT count(*) FROM proctor_reanalysis") == rows)
            let finished = result.stderr.split(separator: "\n").last { $0.contains("reanalyze finished") }.map(String.init) ?? ""
            let log = ((try? JSONSerialization.jsonObject(with: Data(finished.utf8))) as? [String: String]) ?? [:]
            return (seconds, Double(log["analysis_s"] ?? "") ?? 0, Double(log["database_s"] ?? "") ?? 0)
        }
        let one = try reanalyze(jobs: 1)
        let two = try reanalyze(jobs: 2)
        let start = Date()
        let folder = try CommandRunner.run(proctor, ["analyze", "--jobs", "1", "--format", "jsonl", evidence.media + "/cheating_images"])
        let folderSeconds = Date().timeIntervalSince(start)
        #expect(folder.lines.count == rows + 1)

        let report = """
            bench-reanalysis: \(rows) rows, \(ProcessInfo.processInfo.activeProcessorCount) cores
            bench-reanalysis: --jobs 1: \(String(format: "%.2f", Double(rows) / one.seconds)) images/s (\(String(format: "%.1f", one.seconds)) s)
            bench-reanalysis: --jobs 2: \(String(format: "%.2f", Double(rows) / two.seconds)) images/s (\(String(format: "%.1f", two.seconds)) s), \
            speed-up \(String(format: "%.2f", one.seconds / two.seconds))x
            bench-reanalysis: folder mode (proctor analyze --jobs 1): \(String(format: "%.2f", Double(rows) / folderSeconds)) images/s
            bench-reanalysis: database path vs folder mode, --jobs 1: \(String(format: "%+.1f", (one.seconds / folderSeconds - 1) * 100))% wall time; \
            time inside the database \(String(format: "%.2f", one.database)) s = \(String(format: "%.1f", one.database / max(one.analysis, 0.001) * 100))% of analysis time \
            (\(String(format: "%.2f", one.database / Double(rows) * 1000)) ms/image)
            """
        print(report)
    }
}
