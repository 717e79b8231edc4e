import ProctorDatabaseTestSupport
import Foundation
import ProctorCore
import ProctorReport
import ProctorTestSupport
import ProctorVision
import Testing
import ProctorImaging

/// `proctor report --database-url`: a student's events in the service's database, against the real
/// PostgreSQL server scripts/with-postgres starts (each test in a database of its own).
struct DatabaseReportTests {
    static let start = Date(timeIntervalSince1970: 1_747_040_400)  // 2025-05-12 09:00:00 UTC
    static let student = "user_2041"
    let utc = TimeZone(identifier: "UTC") ?? .current

    /// The service's tables and media root with one student's exam morning, plus noise around it.
    struct Seeded {
        let database: ServiceDatabase
        let folder: TemporaryDirectory
        var media: String { folder.path("media") }
        /// The window 09:00-10:30 holds five events the report has lanes for, and two it has not.
        let inWindow = 5
        let missingImage = "cheating_images/violation_missing.jpg"
    }

    static func seed() throws -> Seeded {
        let database = try ServiceDatabase()
        let folder = try TemporaryDirectory()
        let images = folder.path("media/cheating_images")
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        let photo = try Data(contentsOf: URL(fileURLWithPath: TestAssets.photo("phone.jpg")))
        let jpeg = Data(try Image.decode([UInt8](photo)).fitting(maxSide: 320).jpegData(quality: 80))
        for name in ["phone", "object", "gaze", "early", "late", "other-student"] {
            try jpeg.write(to: URL(fileURLWithPath: "\(images)/violation_\(name).jpg"))
        }
        let student = try database.addStudent(Self.student)
        let other = try database.addStudent("user_9999")
        func at(_ minutes: Double) -> Date { Self.start.addingTimeInterval(minutes * 60) }
        try database.addEvent(
            student: student, type: "phone_detected", at: at(10), objects: #"["cell phone"]"#,
            images: ["cheating_images/violation_phone.jpg"])
        try database.addEvent(
            student: student, type: "object_detected", at: at(20), objects: #"["cell phone", "person"]"#,
            images: ["cheating_images/violation_object.jpg"])
        try database.addEvent(
            student: student, type: "multiple_persons", at: at(30), images: ["cheating_images/violation_missing.jpg"])
        try database.addEvent(
            student: student, type: "gaze_detected", at: at(40), images: ["cheating_images/violation_gaze.jpg"])
        try database.addEvent(student: student, type: "face_absent", at: at(50))
        try database.addEvent(student: student, type: "tab_switch", at: at(60))
        try database.addEvent(student: student, type: "object_detected", at: at(65), objects: #"["book"]"#)
        // Outside 09:00-10:30, and another student's event inside it.
        try database.addEvent(
            student: student, type: "camera_blocked", at: at(-1_440), images: ["cheating_images/violation_early.jpg"])
        try database.addEvent(
            student: student, type: "face_absent", at: at(120), images: ["cheating_images/violation_late.jpg"])
        try database.addEvent(
            student: other, type: "phone_detected", at: at(15), images: ["cheating_images/violation_other-student.jpg"])
        try database.addExam(student: student, name: "Old quiz", at: at(-1_400))
        try database.addExam(student: student, name: "Calculus II — Final", at: at(85))
        return Seeded(database: database, folder: folder)
    }

    private func source(_ seeded: Seeded, since: Date? = start, until: Date? = start.addingTimeInterval(5_400))
        -> DatabaseReportSource
    {
        DatabaseReportSource(
            url: seeded.database.url, mediaRoot: seeded.media,
            window: ReportWindow(studentID: Self.student, since: since, until: until))
    }

    @Test func oneCardPerEventInTheWindowWithMappedTypes() throws {
        let seeded = try Self.seed()
        let input = try source(seeded).load(sessionID: nil)
        #expect(input.session.studentID == Self.student)
        #expect(input.session.examID == "Calculus II — Final")
        #expect(input.session.startedAt == Self.start)
        #expect(input.session.endedAt == Self.start.addingTimeInterval(5_400))
        // The service's detector writes `multiple_persons` for extra persons (ServiceVocabulary's alias).
        #expect(input.episodes.map(\.type) == [.phoneDetected, .phoneDetected, .extraPerson, .lookingAway, .faceAbsent])
        #expect(input.episodes.map(\.eventType) == ["phone_detected", "object_detected", "multiple_persons", "gaze_detected", "face_absent"])
        #expect(input.episodes.map(\.severity) == [.high, .high, .high, .low, .medium])
        #expect(input.episodes.map(\.start) == [600, 1_200, 1_800, 2_400, 3_000])
        #expect(input.episodes.allSatisfy { $0.end == $0.start }, "the database has moments, not durations")
        #expect(input.session.notes.contains { $0.contains("Other: 2 events") && $0.contains("tab_switch × 1") && $0.contains("object_detected (book) × 1") })

        let report = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(input)
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        try #require(page.parseError == nil, "\(page.parseError ?? "")")
        #expect(page.all("article").count == seeded.inWindow)
        #expect(page.all("img").count == 3)
        #expect(page.field("exam") == "Calculus II — Final")
        #expect(page.field("start") == "2025-05-12 09:00:00 UTC+00:00")
        #expect(page.field("end") == "2025-05-12 10:30:00 UTC+00:00")
        #expect(page.field("monitored") == "not recorded")
        #expect(page.field("face") == "not recorded")
        #expect(page.field("notes")?.contains("without duration") == true)
        #expect(page.all("dd") { $0.attributes["data-field"] == "confidence" }.isEmpty, "no made-up confidences")
    }

    @Test func missingEvidenceIsShownAsSuchWithoutFailingTheReport() throws {
        let seeded = try Self.seed()
        let report = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(try source(seeded).load(sessionID: nil))
        let multiple = try #require(report.episodes.first { $0.type == .extraPerson })
        #expect(multiple.evidence == nil)
        #expect(multiple.evidenceNote?.hasPrefix("Evidence missing: \(seeded.missingImage)") == true)
        let absent = try #require(report.episodes.first { $0.type == .faceAbsent })
        #expect(absent.evidence == nil)
        #expect(absent.evidenceNote?.contains("stored no image") == true)
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        let card = try #require(page.all("article") { $0.attributes["data-type"] == "extra_person" }.first)
        #expect(card.text.contains("Evidence missing"))
    }

    @Test func theWindowFiltersAndDefaultsToAllOfTheStudentsEvents() throws {
        let seeded = try Self.seed()
        let narrow = try source(seeded, since: Self.start.addingTimeInterval(25 * 60), until: Self.start.addingTimeInterval(45 * 60))
            .load(sessionID: nil)
        #expect(narrow.episodes.map(\.type) == [.extraPerson, .lookingAway])
        #expect(narrow.episodes.map(\.start) == [300, 900])
        #expect(narrow.session.examID.isEmpty, "no exam row falls in 09:25-09:45")

        let all = try source(seeded, since: nil, until: nil).load(sessionID: nil)
        #expect(all.episodes.count == seeded.inWindow + 2)
        #expect(all.session.startedAt == Self.start.addingTimeInterval(-1_440 * 60), "from the earliest event")
        #expect(all.session.endedAt == Self.start.addingTimeInterval(120 * 60), "to the last event")
        #expect(all.episodes.first?.type == .cameraBlocked && all.episodes.first?.start == 0)
    }

    @Test func anUnknownStudentIsNotFoundRatherThanACleanReport() throws {
        let seeded = try Self.seed()
        let source = DatabaseReportSource(
            url: seeded.database.url, mediaRoot: seeded.media, window: ReportWindow(studentID: "nobody"))
        do {
            _ = try source.load(sessionID: nil)
            Issue.record("a mistyped student id must not read as a clean session")
        } catch {
            guard case .sessionNotFound(let message) = error else {
                Issue.record("expected sessionNotFound, got \(error)")
                return
            }
            #expect(message.contains("nobody"))
        }
    }

    @Test func theCommandWritesHTMLAndJSONAndAnEmptyWindowIsACleanReport() throws {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let seeded = try Self.seed()
        let out = seeded.folder.path("report.html")
        let common = ["report", "--database-url", seeded.database.url, "--media-root", seeded.media, "--student", Self.student]
        let html = try CommandRunner.run(
            proctor, common + ["--since", "2025-05-12T09:00:00Z", "--until", "2025-05-12 10:30", "--out", out, "--time-zone", "UTC"])
        #expect(html.status == 0, "\(html.stderr)")
        let page = ParsedPage(try String(contentsOfFile: out, encoding: .utf8))
        try #require(page.parseError == nil, "\(page.parseError ?? "")")
        #expect(page.all("article").count == seeded.inWindow)
        #expect(page.all("article") { $0.text.contains("Evidence missing") }.count == 2)
        let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let json = try CommandRunner.run(proctor, common + ["--since", "2025-05-12", "--until", "2025-05-12T10:30:00Z", "--format", "json", "--out", "-"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try SessionReport.decode(json: Data(json.stdout.utf8))
        #expect(report.episodes.count == seeded.inWindow)
        #expect(report.session.pointEvents == true)
        #expect(report.session.examID == "Calculus II — Final")
        #expect(report.notes?.isEmpty == false)
        #expect(report.episodes.filter { $0.evidence != nil }.count == 3)

        let empty = try CommandRunner.run(
            proctor, common + ["--since", "2025-06-01", "--until", "2025-06-02", "--out", out, "--time-zone", "UTC"])
        #expect(empty.status == 0, "\(empty.stderr)")
        let emptyPage = ParsedPage(try String(contentsOfFile: out, encoding: .utf8))
        #expect(emptyPage.field("empty")?.contains("No episodes") == true)
        #expect(emptyPage.all("article").isEmpty)

        let environment = try CommandRunner.run(
            proctor, ["report", "--media-root", seeded.media, "--student", Self.student, "--format", "json", "--out", "-"],
            environment: ["PROCTOR_DATABASE_URL": seeded.database.url])
        #expect(environment.status == 0, "\(environment.stderr)")
        #expect(try SessionReport.decode(json: Data(environment.stdout.utf8)).episodes.count == seeded.inWindow + 2)

        let unknown = try CommandRunner.run(proctor, ["report", "--database-url", seeded.database.url, "--media-root", seeded.media, "--student", "nobody", "--out", out])
        #expect(unknown.status == 66)
        #expect(unknown.stderr.contains("no student with clerk_id nobody"))
    }
}
