import Foundation
import ProctorReport
import ProctorTestSupport
import Testing

/// A 3-hour session with 1,000 episodes still makes a page a browser opens quickly.
@Suite(.requiresModels)
struct ScaleTests {
    @Test func thousandEpisodesStayUnderFifteenMegabytes() throws {
        let input = try ReportFixtures.largeInput()
        let clock = ContinuousClock()
        var report: SessionReport?
        let buildTime = clock.measure { report = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(input) }
        let built = try #require(report)
        var html = ""
        let renderTime = clock.measure { html = HTMLReportRenderer().render(built) }
        let bytes = html.utf8.count
        print("1,000 episodes: \(bytes) bytes HTML, build \(buildTime), render \(renderTime)")
        #expect(bytes < 15_000_000)
        #expect(built.episodes.count == 1_000)
        #expect(built.episodes.filter { $0.evidence != nil }.count == input.episodes.filter { $0.evidence != nil }.count)
        // Big groups start collapsed so the page opens on the header, not on a wall of images.
        #expect(!html.contains("<details class=\"group\" id=\"type-phone_detected\" open"))
        // Generous for a debug build on a shared 2-core machine; release is several times faster.
        #expect(buildTime + renderTime < .seconds(60))
        if let keep = ProcessInfo.processInfo.environment["PROCTOR_REPORT_KEEP"] {
            try Data(html.utf8).write(to: URL(fileURLWithPath: keep).appendingPathComponent("large-report.html"))
        }
    }
}
