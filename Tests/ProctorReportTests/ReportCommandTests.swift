import Foundation
import ProctorReport
import ProctorTestSupport
import Testing

/// `proctor report` as a reviewer or a script runs it.
struct ReportCommandTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    @Test func writesTheLatestSessionAsAnOwnerOnlyPage() throws {
        let folder = try TemporaryDirectory()
        let outbox = folder.path("outbox.sqlite")
        try ReportFixtures.writeDemo(to: outbox).close()
        let out = folder.path("report.html")
        let result = try CommandRunner.run(proctor, ["report", "--outbox", outbox, "--out", out, "--time-zone", "UTC"])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        let page = ParsedPage(html)
        #expect(page.parseError == nil)
        #expect(page.all("article").count == ReportFixtures.demoPlan.count)
        #expect(page.field("start") == "2025-05-12 09:00:00 UTC+00:00")
        let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the page embeds evidence frames")
    }

    /// Issue 9 item 12: every file created beside the report is created owner-only and exclusively,
    /// even with umask 000, so the evidence in it is never readable by others while it is written.
    /// strace (installed by scripts/setup) shows the mode each file is created with.
    @Test func theReportIsNeverCreatedReadableByOthers() throws {
        let strace = "/usr/bin/strace"
        try #require(FileManager.default.isExecutableFile(atPath: strace), "strace missing: run scripts/setup")
        let folder = try TemporaryDirectory()
        let outbox = folder.path("outbox.sqlite")
        try ReportFixtures.writeDemo(to: outbox).close()
        let pages = folder.path("pages")
        try FileManager.default.createDirectory(atPath: pages, withIntermediateDirectories: true)
        let log = folder.path("strace.log")
        let command = "umask 000; exec \(strace) -f -qq -o \(log) -e trace=open,openat,creat \(proctor) report --outbox \(outbox) --out \(pages)/report.html"
        let result = try CommandRunner.run("/bin/sh", ["-c", command])
        #expect(result.status == 0, "\(result.stderr)")
        let created = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("\"\(pages)/") && $0.contains("O_CREAT") }
        #expect(!created.isEmpty, "no file creation seen beside the report")
        for call in created {
            #expect(call.contains("O_EXCL") && call.contains("O_NOFOLLOW") && call.contains(", 0600)"), "\(call)")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: pages + "/report.html")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: pages) == ["report.html"])
    }

    @Test func jsonFormatIsTheReportModel() throws {
        let folder = try TemporaryDirectory()
        let outbox = folder.path("outbox.sqlite")
        try ReportFixtures.writeDemo(to: outbox).close()
        let result = try CommandRunner.run(
            proctor, ["report", "--outbox", outbox, "--session", ReportFixtures.demoSessionID, "--format", "json", "--out", "-"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try SessionReport.decode(json: Data(result.stdout.utf8))
        #expect(report.session.id == ReportFixtures.demoSessionID)
        #expect(report.episodes.count == ReportFixtures.demoPlan.count)
        #expect(report.credibility.level == .medium)
    }

    @Test func missingSessionOutboxAndDatabaseAreOneLineErrors() throws {
        let folder = try TemporaryDirectory()
        let outbox = folder.path("outbox.sqlite")
        try ReportFixtures.writeDemo(to: outbox).close()
        let out = folder.path("r.html")

        let unknown = try CommandRunner.run(proctor, ["report", "--outbox", outbox, "--session", "nope", "--out", out])
        #expect(unknown.status == 66)
        #expect(unknown.stderr == "error: no session nope in \(outbox)\n")

        let noOutbox = try CommandRunner.run(proctor, ["report", "--outbox", folder.path("none.sqlite"), "--out", out])
        #expect(noOutbox.status == 66)
        #expect(noOutbox.stderr.hasPrefix("error: no outbox at"))

        // Port 1 refuses at once; the password must not reach the message.
        let database = try CommandRunner.run(
            proctor,
            [
                "report", "--database-url", "postgresql://reviewer:s3cret@127.0.0.1:1/proctoring", "--media-root",
                folder.url.path, "--student", "7", "--out", out,
            ])
        #expect(database.status == 69)
        #expect(database.stderr.hasPrefix("error: database postgresql://***@127.0.0.1:1/proctoring: cannot connect"))
        #expect(!database.stderr.contains("s3cret"))
        #expect(database.stderr.split(separator: "\n").count == 1)

        let halfDatabase = try CommandRunner.run(proctor, ["report", "--database-url", "postgres://x", "--out", out])
        #expect(halfDatabase.status == 64)
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
