import Foundation
import ProctorOutbox
import ProctorTestSupport
import Testing

/// `--session` takes the id or a unique start of it (the 8 characters `proctor episodes` shows).
struct SessionPrefixTests {
    let proctor: String
    let folder: TemporaryDirectory
    let outbox: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        folder = try TemporaryDirectory()
        outbox = folder.path("outbox.sqlite")
        let store = try Outbox(path: outbox)
        defer { store.close() }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for id in ["6f1c0d2e-0000-4000-8000-000000000001", "6f1c9999-0000-4000-8000-000000000002"] {
            try store.openSession(id: id, studentID: "s", examID: "e", startedAt: start)
            try store.closeSession(id: id, endedAt: start.addingTimeInterval(60), framesAnalyzed: 120, secondsWithFace: 60)
        }
    }

    @Test func aUniqueStartNamesTheSession() throws {
        let episodes = try CommandRunner.run(proctor, ["episodes", "--outbox", outbox, "--session", "6f1c0d2e", "--format", "json"])
        #expect(episodes.status == 0 && episodes.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]", "\(episodes.stderr)")
        let report = try CommandRunner.run(proctor, ["report", "--outbox", outbox, "--session", "6F1C99", "--format", "json", "--out", "-"])
        #expect(report.status == 0 && report.stdout.contains("6f1c9999-0000-4000-8000-000000000002"), "\(report.stderr)")
    }

    @Test func anAmbiguousStartIsAUsageErrorAndAnUnknownOneIsNotFound() throws {
        let ambiguous = try CommandRunner.run(proctor, ["episodes", "--outbox", outbox, "--session", "6f1c"])
        #expect(ambiguous.status == 64 && ambiguous.stderr == "error: 6f1c names 2 sessions in \(outbox): give more of the id\n")
        let unknown = try CommandRunner.run(proctor, ["report", "--outbox", outbox, "--session", "abc", "--out", "-"])
        #expect(unknown.status == 66 && unknown.stderr == "error: no session abc in \(outbox)\n", "\(unknown.stderr)")
    }
}
