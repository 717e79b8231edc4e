import ProctorDatabaseTestSupport
import Foundation
import ProctorCore
import ProctorPostgres
import ProctorReanalysis
import ProctorTestSupport
import ProctorVision
import Testing

/// The batch loop against the real PostgreSQL scripts/test starts, with real models on real photos.
@Suite(.serialized, .requiresModels)
struct ReanalysisRunTests {
    struct Seeded {
        let database: ServiceDatabase
        let evidence: StoredEvidence
        var ids: [String: Int64] = [:]
    }

    /// Good photos with known judgements plus every kind of bad data.
    func seed() throws -> Seeded {
        let database = try ServiceDatabase()
        let evidence = try StoredEvidence(database: database)
        var seeded = Seeded(database: database, evidence: evidence)
        let db = try database.connect()
        defer { db.close() }
        let phone = try evidence.place("phone.jpg", as: "cheating_images/violation_1f3a.jpg")
        let zidane = try evidence.place("zidane.jpg", as: "cheating_images/violation_9c2e.jpg")
        let person = try evidence.place("person.jpg", as: "cheating_images/violation_77d0.jpg")
        let bus = try evidence.place("bus.jpg", as: "cheating_images/violation_b05c.jpg")
        let photo = try Data(contentsOf: URL(fileURLWithPath: TestAssets.photo("zidane.jpg")))
        let truncated = try evidence.write(photo.prefix(photo.count / 3), as: "cheating_images/violation_cut.jpg")
        let text = try evidence.write(Data("not an image\n".utf8), as: "cheating_images/violation_text.jpg")
        seeded.ids["phone confirmed"] = try evidence.event("phone_detected", image: phone, in: db)
        seeded.ids["faces confirmed"] = try evidence.event("multiple_faces", image: zidane, in: db)
        seeded.ids["phone contradicted"] = try evidence.event("object_detected", image: zidane, in: db)
        seeded.ids["tab switch"] = try evidence.event("tab_switch", image: person, in: db, at: "2024-06-01T10:00:00Z")
        seeded.ids["missing"] = try evidence.event("phone_detected", image: "cheating_images/violation_gone.jpg", in: db)
        seeded.ids["truncated"] = try evidence.event("phone_detected", image: truncated, in: db)
        seeded.ids["text"] = try evidence.event("looking_away", image: text, in: db)
        seeded.ids["deleted event"] = try evidence.event("extra_person", image: bus, in: db)
        try evidence.deleteEvent(ofImage: seeded.ids["deleted event"] ?? 0, in: db)
        let migrated = try ReanalysisSchema.migrate(db)
        #expect(migrated == ReanalysisSchema.currentVersion)
        #expect(try ReanalysisSchema.migrate(db) == migrated)  // idempotent
        return seeded
    }

    func reanalyzer(_ seeded: Seeded, selection: Selection = Selection(), mediaRoot: String? = nil, batch: Int = 3)
        throws -> Reanalyzer
    {
        let factory = TestAssets.factory()
        let version = try PipelineVersion(factory: factory, policy: VerdictPolicy())
        return try Reanalyzer(
            databaseURL: seeded.database.url, analyzer: BatchAnalyzer(factory: factory, jobs: 2), policy: VerdictPolicy(),
            mediaRoot: mediaRoot ?? seeded.evidence.media, queue: WorkQueue(version: version, selection: selection),
            settings: Reanalyzer.Settings(worker: "test", batchSize: batch, leaseSeconds: 60))
    }

    func outcome(_ seeded: Seeded, _ key: String) throws -> [String?] {
        try #require(
            try seeded.database.query(
                "SELECT outcome, agrees::text, problem, event_type FROM proctor_reanalysis WHERE source = 'cheatingimage' AND image_id = $1",
                ["\(seeded.ids[key] ?? 0)"]
            ).first, "no finding for \(key)")
    }

    @Test func everyImageGetsOneFindingAndBadDataIsCountedNotFatal() throws {
        let seeded = try seed()
        let before = try seeded.database.serviceTablesDigest()
        let worker = try reanalyzer(seeded, selection: Selection(includeStudentPhotos: true))
        #expect(try worker.prepare() == 9)  // 8 image rows + 1 student photo
        let totals = try worker.run(shouldStop: { false })
        #expect(totals.processed == 9)
        #expect(totals.inserted == 9)
        #expect(totals.batches == 3)
        #expect(totals.confirmed == 2)
        #expect(totals.contradicted == 2)  // the object_detected zidane, and the student photo with two faces
        #expect(totals.problems == [.missingFile: 1, .unreadable: 2, .notVisual: 1, .eventDeleted: 1])

        #expect(try outcome(seeded, "phone confirmed") == ["confirmed", "true", nil, "phone_detected"])
        #expect(try outcome(seeded, "faces confirmed") == ["confirmed", "true", nil, "multiple_faces"])
        #expect(try outcome(seeded, "phone contradicted") == ["contradicted", "false", nil, "object_detected"])
        #expect(try outcome(seeded, "tab switch") == ["unjudged", nil, "not_visual", "tab_switch"])
        #expect(try outcome(seeded, "missing") == ["unjudged", nil, "missing_file", "phone_detected"])
        #expect(try outcome(seeded, "truncated") == ["unjudged", nil, "unreadable", "phone_detected"])
        #expect(try outcome(seeded, "text") == ["unjudged", nil, "unreadable", "looking_away"])
        #expect(try outcome(seeded, "deleted event") == ["unjudged", nil, "event_deleted", nil])
        // The deleted event's image was still analysed: its findings are there for a reviewer.
        let busFaces = try seeded.database.query(
            "SELECT findings->>'width', findings->>'error' FROM proctor_reanalysis WHERE image_id = $1 AND source = 'cheatingimage'",
            ["\(seeded.ids["deleted event"] ?? 0)"])
        #expect(busFaces.first?[0] == "810")
        #expect(busFaces.first?[1] == nil)

        let db = try seeded.database.connect()
        defer { db.close() }
        let summary = try ReanalysisSummary.load(db, version: worker.queue.version.value)
        #expect(summary.row("phone_detected").map { [$0.confirmed, $0.contradicted, $0.unjudged] } == [1, 0, 2])
        #expect(summary.row("object_detected").map { [$0.confirmed, $0.contradicted, $0.unjudged] } == [0, 1, 0])
        #expect(summary.row(ReanalysisSummary.deletedEvent)?.unjudged == 1)
        #expect(summary.problems == ["missing_file": 1, "unreadable": 2, "not_visual": 1, "event_deleted": 1])
        #expect(summary.text().contains("object_detected"))

        var csv = ""
        try FindingExporter(format: .csv, pageSize: 2).export(db, version: worker.queue.version.value) { csv += $0 }
        #expect(csv.split(separator: "\n").count == 10)  // header + 9, paged by 2
        var contradicted = ""
        try FindingExporter(format: .jsonl).export(db, version: worker.queue.version.value, outcome: "contradicted") { contradicted += $0 }
        #expect(contradicted.split(separator: "\n").count == 2)

        #expect(try seeded.database.serviceTablesDigest() == before)
    }

    @Test func aSecondRunAnalysesNothingNewAndFiltersNarrowTheQueue() throws {
        let seeded = try seed()
        let mayFifteenth = Date(timeIntervalSince1970: 1_715_731_200)  // 2024-05-15T00:00:00Z
        let first = try reanalyzer(seeded, selection: Selection(since: mayFifteenth))
        #expect(try first.prepare() == 1)  // only the tab_switch event is after May 15th
        #expect(try first.run(shouldStop: { false }).processed == 1)
        let all = try reanalyzer(seeded)
        #expect(try all.prepare() == 7)  // the one done under this version is not queued again
        #expect(try all.run(shouldStop: { false }).processed == 7)
        let again = try reanalyzer(seeded)
        #expect(try again.prepare() == 0)
        #expect(try again.run(shouldStop: { false }).processed == 0)
        #expect(try seeded.database.count("SELECT count(*) FROM proctor_reanalysis") == 8)
        let phones = try reanalyzer(seeded, selection: Selection(eventType: "phone_detected", student: "clerk-1"))
        #expect(try phones.prepare() == 0)
    }

    @Test func aStopRequestEndsTheRunAtABatchBoundary() throws {
        let seeded = try seed()
        let worker = try reanalyzer(seeded, batch: 2)
        _ = try worker.prepare()
        var batches = 0
        let totals = try worker.run(shouldStop: { batches >= 1 }, progress: { _ in batches += 1 })
        #expect(totals.processed == 2)
        #expect(try seeded.database.count("SELECT count(*) FROM proctor_reanalysis") == 2)
        #expect(try seeded.database.count("SELECT count(*) FROM proctor_reanalysis_queue WHERE NOT done AND lease_until IS NOT NULL") == 0)
    }

    @Test func anUnmountedMediaRootWritesNothingAndGivesTheBatchBack() throws {
        let seeded = try seed()
        let empty = seeded.evidence.directory.path("not-mounted")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let worker = try reanalyzer(seeded, mediaRoot: empty)
        #expect(try worker.prepare() == 8)
        let totals = try worker.run(shouldStop: { false })
        #expect(totals.processed == 0)
        #expect(totals.mediaRootUnavailable == 3)
        #expect(totals.stoppedBy?.contains("not mounted") == true)
        #expect(try seeded.database.count("SELECT count(*) FROM proctor_reanalysis") == 0)
        #expect(try seeded.database.count("SELECT count(*) FROM proctor_reanalysis_queue WHERE claimed_by IS NOT NULL") == 0)
    }
}
