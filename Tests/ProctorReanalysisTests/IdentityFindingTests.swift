import Foundation
import ProctorCore
import ProctorDatabaseTestSupport
import ProctorPostgres
import ProctorReanalysis
import ProctorTestSupport
import ProctorVision
import Testing

/// Reanalysis compares each stored image's main face with the student's registration photo, against
/// the real PostgreSQL scripts/test starts, with real models on the deepface photos.
@Suite(.serialized)
struct IdentityFindingTests {
    @Test func storedEventsShowingSomeoneElseAreFoundAndCounted() throws {
        let database = try ServiceDatabase()
        let evidence = try StoredEvidence(database: database)
        let db = try database.connect()
        defer { db.close() }
        // A second student registered with img2.jpg; her events show her (img1, img6) and someone else (img3).
        // img6 and img3 are stored as different_person events: img6 is a false accusation, img3 a true one.
        let photo = try evidence.place("deepface/img2.jpg", as: "student_photos/b.jpg")
        let student = try #require(
            try db.execute(
                "INSERT INTO proctoring_student (clerk_id, name, email, photo, \"timestamp\") VALUES ('clerk-2', 'B', 'b@x.test', $1, now()) RETURNING id",
                [photo]
            ).scalar)
        var images: [String: String] = [:]
        for name in ["img1.jpg", "img6.jpg", "img3.jpg"] {
            let stored = try evidence.place("deepface/\(name)", as: "cheating_images/violation_\(name)")
            let event = try db.execute(
                """
                INSERT INTO proctoring_cheatingevent (student_id, cheating_flag, event_type, "timestamp", detected_objects, tab_switch_count)
                VALUES ($1, true, $2, now(), '[]', 0) RETURNING id
                """, [student, name == "img1.jpg" ? "gaze_detected" : "different_person"]
            ).scalar
            images[name] = try db.execute(
                "INSERT INTO proctoring_cheatingimage (event_id, image, \"timestamp\") VALUES ($1, $2, now()) RETURNING id", [event, stored]
            ).scalar
        }
        // The first student's registration photo (zidane.jpg) shows two faces: her events are never compared.
        try evidence.event("looking_away", image: try evidence.place("deepface/img3.jpg", as: "cheating_images/other.jpg"), in: db)
        try ReanalysisSchema.migrate(db)

        let factory = TestAssets.factory()
        let locator = IdentityAssets.locator
        let model = try #require(locator.path(for: ModelLocator.embeddingModel), "MobileFaceNet missing: run scripts/setup")
        let version = try PipelineVersion(factory: factory, policy: VerdictPolicy(), identity: (model, IdentityPolicy()))
        #expect(version != (try PipelineVersion(factory: factory, policy: VerdictPolicy())))
        let worker = try Reanalyzer(
            databaseURL: database.url, analyzer: BatchAnalyzer(factory: factory, jobs: 2), policy: VerdictPolicy(),
            mediaRoot: evidence.media, queue: WorkQueue(version: version, selection: Selection()),
            settings: Reanalyzer.Settings(worker: "test", batchSize: 2, leaseSeconds: 60),
            identity: try ReferenceComparer(factory: factory, locator: locator, policy: IdentityPolicy(), minFaceScore: 0.8))
        #expect(try worker.prepare() == 4)
        #expect(try worker.run(shouldStop: { false }).processed == 4)

        func identity(_ name: String) throws -> [String?] {
            try #require(
                try database.query(
                    "SELECT identity_match::text, identity_similarity::text FROM proctor_reanalysis WHERE image_id = $1", [images[name]]
                ).first)
        }
        #expect(try identity("img1.jpg")[0] == "true")
        #expect(try identity("img6.jpg")[0] == "true")
        #expect(try identity("img3.jpg")[0] == "false")
        #expect(Double(try identity("img3.jpg")[1] ?? "") ?? 1 < IdentityPolicy().matchThreshold)
        #expect(try database.count("SELECT count(*) FROM proctor_reanalysis WHERE identity_similarity IS NULL") == 1)
        func outcome(_ name: String) throws -> String? {
            try database.query("SELECT outcome FROM proctor_reanalysis WHERE image_id = $1", [images[name]]).first?.first ?? nil
        }
        #expect(try outcome("img6.jpg") == "contradicted")
        #expect(try outcome("img3.jpg") == "confirmed")

        let summary = try ReanalysisSummary.load(db, version: version.value)
        #expect(summary.identityCompared == 3 && summary.differentPerson == 1)
        #expect(summary.text().contains("identity: 1 of 3 stored events compared show someone other than the registered student"))
    }
}

/// `proctor monitor` with `--database-url` and `--media-root` and no `--reference`: the student's
/// registration photo from the service's database, end to end into its tables.
@Suite(.serialized)
struct RegistrationPhotoMonitorTests {
    @Test func theRegistrationPhotoIsTheReferenceAndAMissingOneIsSaidOnce() throws {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let database = try ServiceDatabase()
        let evidence = try StoredEvidence(database: database)
        let db = try database.connect()
        defer { db.close() }
        let photo = try evidence.place("deepface/img2.jpg", as: "student_photos/b.jpg")
        try db.execute(
            "INSERT INTO proctoring_student (clerk_id, name, email, photo, \"timestamp\") VALUES ('clerk-2', 'B', 'b@x.test', $1, now())", [photo])
        try db.execute(
            "INSERT INTO proctoring_student (clerk_id, name, email, photo, \"timestamp\") VALUES ('clerk-3', 'C', 'c@x.test', '', now())")
        let clip = evidence.directory.path("clip")
        try IdentityAssets.writeABAReplay(into: clip)

        func monitor(_ student: String) throws -> CommandResult {
            try CommandRunner.run(
                proctor,
                [
                    "monitor", "--source", clip, "--student", student, "--outbox", evidence.directory.path("\(student).sqlite"), "--fps", "2",
                    "--database-url", database.url, "--media-root", evidence.media,
                ])
        }
        let checked = try monitor("clerk-2")
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stderr.contains("identity checks on") && checked.stderr.contains("b.jpg"))
        let events = try database.query(
            """
            SELECT e.event_type, e.detected_objects::text FROM proctoring_cheatingevent e
            JOIN proctoring_student s ON s.id = e.student_id
            WHERE s.clerk_id = 'clerk-2' AND e.event_type = 'object_detected' AND e.detected_objects ? 'different person'
            """)
        #expect(events.count == 1, "\(events)")
        #expect(events.first?[1]?.contains("different person") == true)

        let unchecked = try monitor("clerk-3")
        #expect(unchecked.status == 0, "\(unchecked.stderr)")
        #expect(unchecked.stderr.components(separatedBy: "has no registration photo").count == 2, "said once: \(unchecked.stderr)")
        #expect(
            try database.count(
                "SELECT count(*) FROM proctoring_cheatingevent e JOIN proctoring_student s ON s.id = e.student_id WHERE s.clerk_id = 'clerk-3' AND e.event_type = 'different_person'"
            ) == 0)
    }
}
