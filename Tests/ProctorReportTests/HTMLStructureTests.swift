import Foundation
import ProctorCore
import ProctorOutbox
import ProctorReport
import ProctorTestSupport
import Testing

/// The page, parsed back: header fields, one card per episode, timeline segments at episode times.
struct HTMLStructureTests {
    let utc = TimeZone(identifier: "UTC") ?? .current

    func demoReport(studentID: String = "s-2041", examID: String = "Calculus II — Final") throws -> SessionReport {
        let folder = try TemporaryDirectory()
        let outbox = try ReportFixtures.writeDemo(to: folder.path("outbox.sqlite"), studentID: studentID, examID: examID)
        defer { outbox.close() }
        let input = try OutboxReportSource(outbox: outbox).load(sessionID: nil)
        return ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(input, now: ReportFixtures.demoStart.addingTimeInterval(9_000))
    }

    @Test func headerShowsWhoWhenAndHowCredible() throws {
        let report = try demoReport()
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        try #require(page.parseError == nil, "\(page.parseError ?? "")")
        #expect(page.field("student") == "s-2041")
        #expect(page.field("exam") == "Calculus II — Final")
        #expect(page.field("start") == "2025-05-12 09:00:00 UTC+00:00")
        #expect(page.field("end") == "2025-05-12 10:30:00 UTC+00:00")
        #expect(page.field("duration") == "1 h 30 m")
        // 5,400 s minus the 90 s camera outage.
        #expect(report.session.monitoredSeconds == 5_310)
        #expect(page.field("monitored") == "1 h 28 m")
        #expect(page.field("face") == ReportText.percent(5_020.0 / 5_310))
        let verdict = try #require(page.all("div") { $0.attributes["data-field"] == "credibility" }.first)
        #expect(verdict.attributes["data-level"] == report.credibility.level.rawValue)
        #expect(verdict.text.contains("Credibility: \(ReportText.levelName(report.credibility.level))"))
        #expect(page.field("formula")?.contains("score = 100 × (1 − min(1, Σ weight × counted seconds") == true)
    }

    @Test func demoCredibilityMatchesTheFormulaByHand() throws {
        let report = try demoReport()
        // 4 low looking-away (1 × 30 each) + face absent 3 × 70 + phone 20 × 30 + multiple faces 6 × 30
        // + camera lost 2 × 90 + camera blocked 5 × 45 = 1,515 weighted seconds over 5,310.
        #expect(report.credibility.weightedSeconds == 1_515)
        #expect(report.credibility.score == 71.5)
        #expect(report.credibility.level == .medium)
    }

    @Test func oneCardPerEpisodeWithSeverityInWordsAndEvidence() throws {
        let report = try demoReport()
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        // No two demo episodes share a frame: one card each, and each card holds one episode block.
        #expect(page.all("article").count == ReportFixtures.demoPlan.count)
        let cards = page.all("div") { $0.attributes["class"] == "ep" }
        #expect(cards.count == ReportFixtures.demoPlan.count)
        #expect(Set(cards.compactMap { $0.attributes["data-episode"] }).count == cards.count)
        for (index, planned) in ReportFixtures.demoPlan.enumerated() {
            let id = ReportFixtures.uuid(index).uuidString.lowercased()
            let card = try #require(cards.first { $0.attributes["data-episode"] == id })
            #expect(card.attributes["data-type"] == planned.type.rawValue)
            #expect(card.attributes["data-severity"] == planned.severity.rawValue)
            // Severity is told in words and by an icon, not by color alone.
            #expect(card.text.contains("\(ReportText.severityIcon(planned.severity)) \(ReportText.severityName(planned.severity))"))
            #expect(card.text.contains(ReportText.typeName(planned.type)))
            #expect(card.text.contains("\(ReportText.clock(planned.start)) – \(ReportText.clock(planned.end))"))
        }
        let images = page.all("img") { $0.attributes["alt"]?.hasPrefix("Evidence frame") == true }
        #expect(images.count == ReportFixtures.demoPlan.count - 1, "every episode but camera_lost has a frame")
        for image in images {
            #expect(image.attributes["loading"] == "lazy")
            #expect(image.attributes["src"]?.hasPrefix("data:image/jpeg;base64,") == true)
            #expect((Int(image.attributes["width"] ?? "") ?? 0) <= 480)
        }
    }

    @Test func timelineSegmentsSitAtEpisodeTimes() throws {
        let report = try demoReport()
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        let segments = page.all("a") { $0.attributes["class"]?.hasPrefix("seg ") == true }
        let shown = ReportFixtures.demoPlan.filter { $0.type != .cameraLost }
        #expect(segments.count == shown.count)
        for (index, planned) in ReportFixtures.demoPlan.enumerated() where planned.type != .cameraLost {
            let id = ReportFixtures.uuid(index).uuidString.lowercased()
            let segment = try #require(segments.first { $0.attributes["data-episode"] == id })
            #expect(Double(segment.attributes["data-start"] ?? "") == planned.start)
            #expect(Double(segment.attributes["data-end"] ?? "") == planned.end)
            #expect(segment.attributes["class"] == "seg sev-\(planned.severity.rawValue)")
            #expect(segment.attributes["href"] == "#ep-\(id)")
            let style = segment.attributes["style"] ?? ""
            let left = String(format: "left:%.4f%%", planned.start / 5_400 * 100)
            let width = String(format: "width:%.4f%%", (planned.end - planned.start) / 5_400 * 100)
            #expect(style.contains(left) && style.contains(width), "\(style)")
        }
        // The camera outage is a gap, drawn in every lane, not an episode bar.
        let gaps = page.all("span") { $0.attributes["class"] == "gap" }
        #expect(!gaps.isEmpty)
        #expect(gaps.allSatisfy { $0.attributes["data-start"] == "3900.000" && $0.attributes["data-end"] == "3990.000" })
    }

    @Test func summaryCountsAndDurationsPerType() throws {
        let report = try demoReport()
        let looking = try #require(report.summary.first { $0.type == .lookingAway })
        #expect(looking.count == 4 && looking.low == 4)
        #expect(looking.totalSeconds == 12 + 25 + 8 + 15)
        #expect(looking.longestSeconds == 25)
        #expect(report.summary.first?.type == .phoneDetected, "the most serious type comes first")
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        let row = try #require(page.all("tr") { $0.attributes["data-type"] == "looking_away" }.first)
        #expect(row.text.contains("4 low") && row.text.contains("1 m 00 s") && row.text.contains("25 s"))
    }

    @Test func textFromOutsideIsEscaped() throws {
        let hostile = "<script>alert('x')</script>&\"quoted\""
        let report = try demoReport(studentID: hostile, examID: "<img src=x onerror=alert(1)>")
        let html = HTMLReportRenderer(timeZone: utc).render(report)
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<img src=x"))
        let page = ParsedPage(html)
        try #require(page.parseError == nil, "\(page.parseError ?? "")")
        #expect(page.field("student") == hostile)
        #expect(page.all("script").count == 1, "only the page's own print helper")
    }

    @Test func aCleanSessionHasAnEmptyState() throws {
        let session = ReportSession(
            id: "clean", studentID: "s-1", examID: "quiz", startedAt: ReportFixtures.demoStart,
            endedAt: ReportFixtures.demoStart.addingTimeInterval(1_800), framesAnalyzed: 3_600, secondsWithFace: 1_790)
        let report = ReportBuilder(shrinker: nil).build(ReportInput(session: session, episodes: []))
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        try #require(page.parseError == nil)
        #expect(page.field("empty")?.contains("No episodes") == true)
        #expect(page.all("article").isEmpty)
        #expect(report.credibility.level == .high && report.credibility.score == 100)
        #expect(page.field("face") == "99%")
    }

    @Test func aRunningSessionEndsAtGenerationTimeAndSaysSo() throws {
        let session = ReportSession(id: "live", studentID: "s-1", examID: "quiz", startedAt: ReportFixtures.demoStart)
        let open = ReportEpisodeInput(
            id: ReportFixtures.uuid(1), type: .faceAbsent, severity: .medium, start: 500, end: nil, peakConfidence: 1,
            framesSeen: 40)
        let now = ReportFixtures.demoStart.addingTimeInterval(600)
        let report = ReportBuilder(shrinker: nil).build(ReportInput(session: session, episodes: [open]), now: now)
        #expect(report.session.durationSeconds == 600)
        #expect(report.episodes.first?.end == 600 && report.episodes.first?.isOpen == true)
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        #expect(page.field("end")?.hasPrefix("still running") == true)
        #expect(page.field("face") == "not recorded")
        #expect(page.all("article").first?.text.contains("ongoing") == true)
        #expect(page.all("span") { $0.attributes["data-field"] == "source" }.isEmpty, "a session without a recorded source claims none")
    }

    @Test func jsonCarriesTheSameContent() throws {
        let report = try demoReport()
        let decoded = try SessionReport.decode(json: try report.jsonData())
        #expect(decoded == report)
        let object = try #require(try JSONSerialization.jsonObject(with: try report.jsonData()) as? [String: Any])
        #expect((object["episodes"] as? [Any])?.count == ReportFixtures.demoPlan.count)
        #expect((object["credibility"] as? [String: Any])?["level"] as? String == "medium")
        #expect((object["session"] as? [String: Any])?["startedAt"] as? String == "2025-05-12T09:00:00Z")
    }
}
