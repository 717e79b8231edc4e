import Foundation
import ProctorImaging
import ProctorReport
import ProctorTestSupport
import ProctorVision
import Testing

/// A Chromium binary on PATH. scripts/setup installs Debian's `chromium`, so a missing one fails the
/// suite (below) rather than skipping it.
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

/// The demo report in a real browser: it renders without console errors, draws what the page promises,
/// and a thumbnail's link opens its full frame over the page.
@Suite(.serialized)
struct BrowserTests {
    let missing = "chromium is not on PATH: scripts/setup installs it (apt-get install -y chromium)"

    /// The demo report as an HTML file in `folder`, and the report it was rendered from.
    func demoPage(in folder: TemporaryDirectory) throws -> (path: String, report: SessionReport, html: String) {
        let outbox = try ReportFixtures.writeDemo(to: folder.path("outbox.sqlite"))
        let input = try OutboxReportSource(outbox: outbox).load(sessionID: nil)
        outbox.close()
        let report = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(input)
        let html = HTMLReportRenderer(timeZone: TimeZone(identifier: "UTC") ?? .current).render(report)
        let path = folder.path("report.html")
        try Data(html.utf8).write(to: URL(fileURLWithPath: path))
        return (path, report, html)
    }

    /// Pixels of a PNG as BGR triples.
    func pixels(_ png: String) throws -> (width: Int, height: Int, bgr: [UInt8]) {
        let image = try Image.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: png))))
        return (image.width, image.height, try image.bgrBytes())
    }

    func chromium(_ arguments: [String], profile: TemporaryDirectory) throws -> CommandResult {
        let browser = try #require(chromiumPath, "\(missing)")
        // --no-sandbox: root in a container has no user namespaces for the sandbox; the page is ours.
        return try CommandRunner.run(
            browser,
            ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--user-data-dir=\(profile.path("profile"))", "--virtual-time-budget=5000"] + arguments)
    }

    @Test func demoReportRendersInHeadlessChromium() throws {
        try #require(chromiumPath != nil, "\(missing)")
        let folder = try TemporaryDirectory()
        let (html, _, _) = try demoPage(in: folder)
        let png = folder.path("report.png")
        let script = TestAssets.packageRoot.appendingPathComponent("scripts/screenshot-report").path
        let result = try CommandRunner.run(script, [html, png, "1280x2000"])
        try #require(result.status == 0, "\(result.stderr)")
        let shot = try pixels(png)
        #expect(shot.width == 1280 && shot.height == 2000)
        var white = 0, severeRed = 0
        for offset in stride(from: 0, to: shot.bgr.count - 2, by: 3) {
            let (b, g, r) = (Int(shot.bgr[offset]), Int(shot.bgr[offset + 1]), Int(shot.bgr[offset + 2]))
            if b > 245, g > 245, r > 245 { white += 1 }
            // The high-severity red (#c62828) of the phone episode's timeline bar, badge and card edge.
            if abs(r - 0xc6) < 20, abs(g - 0x28) < 20, abs(b - 0x28) < 20 { severeRed += 1 }
        }
        let total = shot.width * shot.height
        #expect(white > total / 2, "a white page with content on it: \(white) of \(total) white")
        #expect(white < total * 97 / 100, "not a blank page")
        #expect(severeRed > 300, "the high-severity episode is drawn in red: \(severeRed) pixels")
        if let keep = ProcessInfo.processInfo.environment["PROCTOR_REPORT_KEEP"] {
            let target = URL(fileURLWithPath: keep)
            try? FileManager.default.removeItem(at: target.appendingPathComponent("demo-report.html"))
            try? FileManager.default.removeItem(at: target.appendingPathComponent("demo-report.png"))
            try FileManager.default.copyItem(atPath: html, toPath: target.appendingPathComponent("demo-report.html").path)
            try FileManager.default.copyItem(atPath: png, toPath: target.appendingPathComponent("demo-report.png").path)
        }
    }

    /// Opening `#frame-<card>` (what clicking a thumbnail does) shows that frame, decoded, over a dark
    /// backdrop; every image on the page decodes; every episode id is laid out visibly.
    @Test func aThumbnailLinkOpensTheFullFrame() throws {
        try #require(chromiumPath != nil, "\(missing)")
        let folder = try TemporaryDirectory()
        let (_, report, html) = try demoPage(in: folder)
        let phone = try #require(report.episodes.first { $0.type == .phoneDetected })
        let full = try #require(phone.fullFrame)
        let key = phone.id.uuidString.lowercased()
        // A copy with a probe that writes what the browser computed into the DOM, for --dump-dom.
        // (On load, not after img.decode(): its promises never settle under --virtual-time-budget.)
        let probe = """
            <script>addEventListener('load',function(){var imgs=[].slice.call(document.images);\
            var t=document.querySelector(':target');var img=t?t.querySelector('img'):null;var box=img?img.getBoundingClientRect():null;\
            var r={target:t?t.id:'',display:t?getComputedStyle(t).display:'',\
            othersShown:[].filter.call(document.querySelectorAll('.lightbox'),function(l){return l!==t&&getComputedStyle(l).display!=='none'}).length,\
            decoded:imgs.filter(function(i){return i.complete&&i.naturalWidth>0}).length,images:imgs.length,\
            fullWidth:img?img.naturalWidth:0,shownWidth:box?box.width:0,\
            idsShown:[].filter.call(document.querySelectorAll('[data-field=episode-id]'),function(e){var b=e.getBoundingClientRect();return b.width>0&&b.height>0}).length};\
            var pre=document.createElement('pre');pre.id='probe';pre.textContent=JSON.stringify(r);document.body.appendChild(pre)})</script>
            """
        let probed = folder.path("probed.html")
        try Data(html.replacingOccurrences(of: "</body>", with: probe + "</body>").utf8).write(to: URL(fileURLWithPath: probed))
        let url = "file://\(probed)#frame-\(key)"
        let dump = try chromium(["--window-size=1280,900", "--dump-dom", url], profile: folder)
        try #require(dump.status == 0, "\(dump.stderr.suffix(2_000))")
        let start = try #require(dump.stdout.range(of: "<pre id=\"probe\">"), "no probe output: \(dump.stdout.suffix(500))")
        let end = try #require(dump.stdout.range(of: "</pre>", range: start.upperBound..<dump.stdout.endIndex))
        let json = String(dump.stdout[start.upperBound..<end.lowerBound])
        let probeResult = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        #expect(probeResult["target"] as? String == "frame-\(key)")
        #expect(probeResult["display"] as? String == "flex", "the targeted lightbox is shown: \(json)")
        #expect(probeResult["othersShown"] as? Int == 0, "and no other: \(json)")
        #expect(probeResult["fullWidth"] as? Int == full.width, "the full frame decoded at its size: \(json)")
        #expect((probeResult["shownWidth"] as? Double ?? 0) >= Double(full.width) - 1, "shown at full size in a 1280 px window: \(json)")
        #expect(probeResult["images"] as? Int == probeResult["decoded"] as? Int, "every image decodes: \(json)")
        #expect(probeResult["idsShown"] as? Int == report.episodes.count, "every episode id is visible: \(json)")

        // The same, as a picture: the page goes dark behind the frame.
        let plainShot = folder.path("plain.png"), openShot = folder.path("open.png")
        for (shot, target) in [(plainShot, "file://\(folder.path("report.html"))"), (openShot, "file://\(folder.path("report.html"))#frame-\(key)")] {
            let result = try chromium(["--window-size=1280,900", "--screenshot=\(shot)", target], profile: folder)
            try #require(result.status == 0, "\(result.stderr.suffix(2_000))")
        }
        func meanBrightness(_ png: String) throws -> Double {
            let shot = try pixels(png)
            return Double(shot.bgr.reduce(0) { $0 + Int($1) }) / Double(max(1, shot.bgr.count))
        }
        let plain = try meanBrightness(plainShot), open = try meanBrightness(openShot)
        #expect(plain > 200 && open < 110, "plain page \(plain), with the full frame open \(open)")
    }
}
