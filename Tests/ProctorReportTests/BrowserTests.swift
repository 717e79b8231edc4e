import Foundation
import ProctorReport
import ProctorTestSupport
import Testing

/// Whether a Chromium binary is on PATH; the test never installs one itself.
private let chromiumPath: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for directory in path.split(separator: ":") {
        for name in ["chromium", "chromium-browser"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
    }
    return nil
}()

/// The demo report rendered by a real browser (scripts/screenshot-report) without errors.
@Suite(.enabled(if: chromiumPath != nil, "chromium is not on PATH: apt-get install -y chromium, or run scripts/screenshot-report by hand"))
struct BrowserTests {
    @Test func demoReportRendersInHeadlessChromium() throws {
        let folder = try TemporaryDirectory()
        let outbox = try ReportFixtures.writeDemo(to: folder.path("outbox.sqlite"))
        let input = try OutboxReportSource(outbox: outbox).load(sessionID: nil)
        outbox.close()
        let report = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(input)
        let html = folder.path("report.html")
        try Data(HTMLReportRenderer(timeZone: TimeZone(identifier: "UTC") ?? .current).render(report).utf8)
            .write(to: URL(fileURLWithPath: html))
        let png = folder.path("report.png")
        let script = TestAssets.packageRoot.appendingPathComponent("scripts/screenshot-report").path
        let result = try CommandRunner.run(script, [html, png])
        #expect(result.status == 0, "\(result.stderr)")
        // The script fails on console errors itself; check the picture is a real, non-trivial PNG.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(bytes.count > 20_000, "a blank page compresses to a few kilobytes")
        if let keep = ProcessInfo.processInfo.environment["PROCTOR_REPORT_KEEP"] {
            let target = URL(fileURLWithPath: keep)
            try? FileManager.default.removeItem(at: target.appendingPathComponent("demo-report.html"))
            try? FileManager.default.removeItem(at: target.appendingPathComponent("demo-report.png"))
            try FileManager.default.copyItem(atPath: html, toPath: target.appendingPathComponent("demo-report.html").path)
            try FileManager.default.copyItem(atPath: png, toPath: target.appendingPathComponent("demo-report.png").path)
        }
    }
}
