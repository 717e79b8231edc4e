import Foundation
import ProctorCore

/// Renders a ``SessionReport`` as one self-contained HTML page: inline CSS, embedded images, no network.
///
/// The markup is also well-formed XML (quoted attributes, closed void elements, XML entities only),
/// so tools and tests can parse it without an HTML5 parser. Stable hooks for them: `data-field` on
/// header values, `data-episode`/`data-start`/`data-end` on timeline segments and cards.
public struct HTMLReportRenderer: Sendable {
    /// Wall-clock times are shown in this zone, and the zone is printed next to them.
    public var timeZone: TimeZone
    /// Type groups with more cards than this start collapsed, so a 1,000-episode page stays scannable.
    public var collapseAbove: Int

    public init(timeZone: TimeZone = .current, collapseAbove: Int = 24) {
        self.timeZone = timeZone
        self.collapseAbove = collapseAbove
    }

    public func render(_ report: SessionReport) -> String {
        let page = HTMLPage()
        let session = report.session
        let title = "Session report: \(session.studentID), \(session.examID.isEmpty ? "exam" : session.examID)"
        page.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>")
        page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>")
        page.raw("<title>").text(title).raw("</title><style>\(ReportStyle.css)</style>")
        // Collapsed groups would print as one line each: open them all for printing.
        page.raw(
            "<script>addEventListener('beforeprint',function(){document.querySelectorAll('details')"
                + ".forEach(function(d){d.setAttribute('open','open')})});"
                // Escape closes a full-frame view (a :target overlay, so it needs no script to open).
                // (No `&&` or `<`: the page stays well-formed XML.)
                + "addEventListener('keydown',function(e){if(e.key==='Escape'){if(location.hash.indexOf('#frame-')===0)"
                + "{location.hash=location.hash.replace('#frame-','#card-')}}})</script>")
        page.raw("</head><body data-report-version=\"\(SessionReport.formatVersion)\"><main>")
        header(report, into: page)
        timeline(report, into: page)
        summary(report, into: page)
        episodes(report, into: page)
        method(report, into: page)
        page.raw("<footer>Generated ").text(dateTime(report.generatedAt))
        page.raw(" by proctor-vision. Times on the timeline and cards are from the start of the session.</footer>")
        page.raw("</main></body></html>\n")
        return page.html
    }

    // MARK: Sections

    private func header(_ report: SessionReport, into page: HTMLPage) {
        let session = report.session
        let credibility = report.credibility
        page.raw("<header class=\"top\"><div><h1>Session report</h1><p class=\"sub\">Student ")
        page.raw("<strong>").text(session.studentID).raw("</strong>")
        if !session.examID.isEmpty { page.raw(" · Exam <strong>").text(session.examID).raw("</strong>") }
        page.raw(" · Session <span class=\"mono\">").text(session.id).raw("</span>")
        if session.endedAt == nil { page.raw("<span class=\"live\">In progress</span>") }
        if session.source == .replay {
            // A recording replayed after the fact: its times are media times, not an exam sitting.
            page.raw("<span class=\"replay\" data-field=\"source\">Replay")
            if let name = session.sourceName { page.raw(" of ").text(name) }
            page.raw("</span>")
        }
        page.raw("</p></div>")
        let level = credibility.level
        page.raw("<div class=\"verdict level-\(level.rawValue)\" data-field=\"credibility\" data-level=\"\(level.rawValue)\">")
        page.raw("<div class=\"level\">\(Self.levelIcon(level)) Credibility: \(ReportText.levelName(level))</div>")
        page.raw("<div class=\"score\">Score <strong data-field=\"score\">")
        page.text(String(format: "%.1f", credibility.score)).raw("</strong> / 100 · formula below</div>")
        page.raw("<div class=\"advice\">\(Self.advice(level))</div></div></header>")

        let high = report.episodes.filter { $0.severity == .high }.count
        let lost = report.session.durationSeconds - report.session.monitoredSeconds
        let points = session.pointEvents == true
        let facts: [(key: String, label: String, value: String, note: String?)] = [
            ("student", "Student", session.studentID, nil),
            ("exam", "Exam", session.examID.isEmpty ? "—" : session.examID, nil),
            ("start", "Start", dateTime(session.startedAt), nil),
            ("end", "End", session.endedAt.map(dateTime) ?? "still running", session.endedAt == nil
                ? "report as of \(dateTime(report.generatedAt))" : nil),
            ("duration", "Session length", ReportText.duration(session.durationSeconds),
                session.framesAnalyzed.map {
                    "\(ReportText.count($0)) frames analysed" + (session.source == .replay ? " · recording time" : "")
                }),
            points
                ? ("monitored", "Monitored time", "not recorded", "credibility uses the session length")
                : ("monitored", "Monitored time", ReportText.duration(session.monitoredSeconds),
                    lost > 0 ? "camera lost for \(ReportText.duration(lost))" : "camera never lost"),
            ("face", "Face visible", session.faceVisibleFraction.map(ReportText.percent) ?? "not recorded",
                session.faceVisibleFraction == nil ? nil : "of monitored time"),
            ("episodes", "Episodes", ReportText.count(report.episodes.count), "\(ReportText.count(high)) of high severity"),
        ]
        page.raw("<dl class=\"facts\">")
        for fact in facts {
            page.raw("<div><dt>").text(fact.label).raw("</dt><dd><span data-field=\"\(fact.key)\">").text(fact.value)
            page.raw("</span>")
            if let note = fact.note { page.raw("<small>").text(note).raw("</small>") }
            page.raw("</dd></div>")
        }
        page.raw("</dl>")
        whatRan(session.whatRan, into: page)
        if let notes = report.notes, !notes.isEmpty {
            page.raw("<ul class=\"notes\" data-field=\"notes\">")
            for note in notes { page.raw("<li>").text(note).raw("</li>") }
            page.raw("</ul>")
        }
    }

    /// One line naming what produced the episodes; a degraded run says so in words.
    private func whatRan(_ whatRan: WhatRan?, into page: HTMLPage) {
        guard let whatRan else { return }
        page.raw("<p class=\"sub\" data-field=\"what-ran\">What ran: proctor ").text(whatRan.proctorVersion ?? "unknown")
        page.raw(" · pipeline <span class=\"mono\">").text(whatRan.pipelineVersion ?? "unknown").raw("</span>")
        page.raw(" · detectors ").text((whatRan.detectors ?? []).joined(separator: ", "))
        page.raw(" · engine ").text(whatRan.inferenceEngine ?? "unknown")
        if let settings = whatRan.settings { page.raw(" · ").text(settings) }
        page.raw(whatRan.isDegraded ? " · <strong data-field=\"degraded\">DEGRADED run</strong>" : " · full pipeline")
        page.raw("</p>")
    }

    private func timeline(_ report: SessionReport, into page: HTMLPage) {
        let total = max(report.session.durationSeconds, 1)
        func position(_ start: Double, _ end: Double) -> String {
            let left = min(100, max(0, start / total * 100))
            let width = min(100 - left, max(0, (end - start) / total * 100))
            return "left:\(Self.percentage(left));width:\(Self.percentage(width))"
        }
        func gaps(into page: HTMLPage) {
            for gap in report.gaps {
                page.raw("<span class=\"gap\" data-start=\"\(Self.seconds(gap.start))\" data-end=\"\(Self.seconds(gap.end))\"")
                page.raw(" style=\"\(position(gap.start, gap.end))\" title=\"Camera lost ")
                page.text("\(ReportText.clock(gap.start))–\(ReportText.clock(gap.end))").raw("\"></span>")
            }
        }
        page.raw("<h2>Timeline</h2><div class=\"timeline\" data-duration=\"\(Self.seconds(report.session.durationSeconds))\">")
        page.raw("<div class=\"lane\"><span class=\"name\">Camera</span><div class=\"track camera\" title=\"Monitored\">")
        gaps(into: page)
        page.raw("</div></div>")
        for type in ReportText.typeOrder where type != .cameraLost {
            let ofType = report.episodes.filter { $0.type == type }
            guard !ofType.isEmpty else { continue }
            page.raw("<div class=\"lane\" data-type=\"\(type.rawValue)\"><span class=\"name\">")
            page.text(ReportText.typeName(type)).raw("</span><div class=\"track\">")
            gaps(into: page)
            for entry in ofType {
                page.raw("<a class=\"seg sev-\(entry.severity.rawValue)\" href=\"#ep-\(Self.key(entry.id))\"")
                page.raw(" data-episode=\"\(Self.key(entry.id))\" data-start=\"\(Self.seconds(entry.start))\"")
                page.raw(" data-end=\"\(Self.seconds(entry.end))\" style=\"\(position(entry.start, entry.end))\" title=\"")
                page.text(
                    "\(ReportText.typeName(type)), \(ReportText.severityName(entry.severity)) severity, "
                        + "\(ReportText.clock(entry.start))–\(ReportText.clock(entry.end))")
                page.raw("\"></a>")
            }
            page.raw("</div></div>")
        }
        page.raw("<div class=\"axis\">")
        for tick in 0...4 {
            let time = total * Double(tick) / 4
            page.raw("<span style=\"left:\(Self.percentage(Double(tick) * 25))\">\(ReportText.clock(time))</span>")
        }
        page.raw("</div><div class=\"legend\">")
        for severity in EpisodeSeverity.allCases.reversed() {
            page.raw("<span><i class=\"sev-\(severity.rawValue)\"></i>\(ReportText.severityIcon(severity)) ")
            page.raw("\(ReportText.severityName(severity)) severity</span>")
        }
        page.raw("<span><i class=\"gapkey\"></i>Camera lost (not monitored)</span></div></div>")
    }

    private func summary(_ report: SessionReport, into page: HTMLPage) {
        page.raw("<h2>Summary by type</h2>")
        guard !report.summary.isEmpty else {
            page.raw("<p class=\"sub\">No episodes.</p>")
            return
        }
        page.raw("<table class=\"summary\"><thead><tr><th>Type</th><th class=\"num\">Episodes</th>")
        page.raw("<th>By severity</th><th class=\"num\">Total duration</th><th class=\"num\">Longest</th></tr></thead><tbody>")
        for row in report.summary {
            page.raw("<tr data-type=\"\(row.type.rawValue)\"><td><a href=\"#type-\(row.type.rawValue)\">")
            page.text(ReportText.typeName(row.type)).raw("</a></td><td class=\"num\" data-field=\"count\">\(ReportText.count(row.count))</td><td>")
            for (severity, count) in [(EpisodeSeverity.high, row.high), (.medium, row.medium), (.low, row.low)] where count > 0 {
                page.raw("<span class=\"badge sev-\(severity.rawValue)\">\(ReportText.severityIcon(severity)) ")
                page.raw("\(count) \(ReportText.severityName(severity).lowercased())</span> ")
            }
            page.raw("</td><td class=\"num\">\(ReportText.duration(row.totalSeconds))</td>")
            page.raw("<td class=\"num\">\(ReportText.duration(row.longestSeconds))</td></tr>")
        }
        let count = report.summary.reduce(0) { $0 + $1.count }
        let longest = report.summary.map(\.longestSeconds).max() ?? 0
        page.raw("</tbody><tfoot><tr><td>All types</td><td class=\"num\">\(ReportText.count(count))</td><td></td>")
        page.raw("<td class=\"num\">\(ReportText.duration(report.summary.reduce(0) { $0 + $1.totalSeconds }))</td>")
        page.raw("<td class=\"num\">\(ReportText.duration(longest))</td></tr></tfoot></table>")
    }

    private func episodes(_ report: SessionReport, into page: HTMLPage) {
        page.raw("<h2>Episodes</h2>")
        guard !report.episodes.isEmpty else {
            page.raw("<div class=\"empty\" data-field=\"empty\">✔ No episodes: nothing in this session needs review.</div>")
            return
        }
        for row in report.summary {
            let entries = report.episodes.filter { $0.type == row.type }
            let open = entries.count <= collapseAbove ? " open=\"open\"" : ""
            page.raw("<details class=\"group\" id=\"type-\(row.type.rawValue)\"\(open)><summary><h3>")
            page.text(ReportText.typeName(row.type)).raw("</h3><span class=\"meta\">\(ReportText.count(row.count)) ")
            page.raw(row.count == 1 ? "episode" : "episodes").raw(" · total \(ReportText.duration(row.totalSeconds))")
            if open.isEmpty { page.raw(" · click to show") }
            page.raw("</span></summary><div class=\"cards\">")
            for entry in entries {
                if let holderID = entry.sharesEvidenceWith {
                    // Shown in the card of the first episode with this frame; a pointer here when that card
                    // sits in another type's group.
                    guard let holder = report.episodes.first(where: { $0.id == holderID }), holder.type != entry.type
                    else { continue }
                    sharedPointer(entry, holder: holder, into: page)
                } else {
                    card(entry, sharing: report.episodes.filter { $0.sharesEvidenceWith == entry.id }, report: report, into: page)
                }
            }
            page.raw("</div></details>")
        }
    }

    /// One evidence frame and every episode it shows: `entry` and the episodes at the same moment.
    private func card(
        _ entry: SessionReport.Entry, sharing companions: [SessionReport.Entry], report: SessionReport, into page: HTMLPage
    ) {
        let shown = [entry] + companions
        let severity = shown.map(\.severity).min { Self.rank($0) < Self.rank($1) } ?? entry.severity
        let key = Self.key(entry.id)
        let name = ReportText.typeName(entry.type)
        page.raw("<article class=\"card sev-\(severity.rawValue)\" id=\"card-\(key)\" data-card=\"\(key)\" data-type=\"\(entry.type.rawValue)\"")
        page.raw(" data-episodes=\"\(shown.map { Self.key($0.id) }.joined(separator: " "))\">")
        let full = entry.fullFrame
        func thumbnail(_ evidence: SessionReport.Evidence) {
            if full != nil { page.raw("<a class=\"zoom\" href=\"#frame-\(key)\" title=\"Show the full frame\">") }
            page.raw("<img loading=\"lazy\" decoding=\"async\" width=\"\(evidence.width)\" height=\"\(evidence.height)\"")
            page.raw(" alt=\"").text("Evidence frame: \(name) at \(ReportText.clock(entry.start))").raw("\" src=\"")
            page.text(evidence.dataURI).raw("\"/>")
            if full != nil { page.raw("</a>") }
        }
        func zoomCaption() {
            guard let full else { return }
            page.raw("<figcaption><a href=\"#frame-\(key)\">View the full frame (\(full.width)×\(full.height))</a></figcaption>")
        }
        if entry.type == .differentPerson, let reference = report.reference, let evidence = entry.evidence {
            // Who should be at the desk beside who was: the reviewer compares the faces themselves.
            page.raw("<figure class=\"pair\"><img loading=\"lazy\" decoding=\"async\" width=\"\(reference.width)\" height=\"\(reference.height)\"")
            page.raw(" data-field=\"reference\" alt=\"Registered photo of the student\" src=\"").text(reference.dataURI).raw("\"/>")
            page.raw("<figcaption>Registered photo</figcaption>")
            thumbnail(evidence)
            page.raw("<figcaption>Evidence frame</figcaption>")
            zoomCaption()
            page.raw("</figure>")
        } else if let evidence = entry.evidence {
            page.raw("<figure>")
            thumbnail(evidence)
            if evidence.kind == .plain { page.raw("<figcaption>Frame without detection boxes</figcaption>") }
            zoomCaption()
            page.raw("</figure>")
        } else {
            page.raw("<div class=\"noimg\">").text(entry.evidenceNote ?? "No evidence frame.").raw("</div>")
        }
        page.raw("<div class=\"body\">")
        if shown.count > 1 {
            page.raw("<p class=\"together\" data-field=\"shared\">\(shown.count) episodes at this moment share this frame</p>")
        }
        for episode in shown { episodeDetails(episode, report: report, into: page) }
        page.raw("</div></article>")
        if let full {
            // A :target overlay: no script needed to open it, and the image is decoded only when shown.
            page.raw("<div class=\"lightbox\" id=\"frame-\(key)\" data-frame=\"\(key)\" role=\"dialog\" aria-label=\"Full frame\">")
            page.raw("<a class=\"close\" href=\"#card-\(key)\">✕ Close</a>")
            page.raw("<img loading=\"lazy\" decoding=\"async\" width=\"\(full.width)\" height=\"\(full.height)\" alt=\"")
            page.text("Full evidence frame: \(name) at \(ReportText.clock(entry.start))").raw("\" src=\"").text(full.dataURI).raw("\"/>")
            page.raw("<p>").text(shown.map { ReportText.typeName($0.type) }.joined(separator: " + "))
            page.raw(" at \(ReportText.clock(entry.start)) · the frame as captured, without detection boxes · \(full.width)×\(full.height) px</p></div>")
        }
    }

    /// An episode's facts inside a card; the timeline links here.
    private func episodeDetails(_ entry: SessionReport.Entry, report: SessionReport, into page: HTMLPage) {
        let severity = entry.severity
        let name = ReportText.typeName(entry.type)
        page.raw("<div class=\"ep\" id=\"ep-\(Self.key(entry.id))\"")
        page.raw(" data-episode=\"\(Self.key(entry.id))\" data-type=\"\(entry.type.rawValue)\"")
        page.raw(" data-severity=\"\(severity.rawValue)\" data-start=\"\(Self.seconds(entry.start))\"")
        page.raw(" data-end=\"\(Self.seconds(entry.end))\">")
        page.raw("<h4><span class=\"badge sev-\(severity.rawValue)\">")
        page.raw("\(ReportText.severityIcon(severity)) \(ReportText.severityName(severity))</span>").text(name)
        if entry.isOpen { page.raw("<span class=\"live\">ongoing</span>") }
        page.raw("</h4><dl><dt>Time</dt><dd>\(ReportText.clock(entry.start)) – \(ReportText.clock(entry.end))")
        let wallStart = report.session.startedAt.addingTimeInterval(entry.start)
        page.raw(" <span class=\"sub\">(").text(time(wallStart)).raw(")</span></dd>")
        if report.session.pointEvents == true {
            // The source has the moment only: a duration or confidence here would be made up.
            page.raw("<dt>Duration</dt><dd data-field=\"duration\">not recorded</dd>")
        } else {
            page.raw("<dt>Duration</dt><dd data-field=\"duration\">\(ReportText.duration(entry.durationSeconds))</dd>")
            page.raw("<dt>Confidence</dt><dd data-field=\"confidence\">\(ReportText.percent(min(1, max(0, entry.confidence))))")
            if entry.framesSeen > 0 { page.raw(" · \(entry.framesSeen) frames") }
            page.raw("</dd>")
        }
        if !entry.labels.isEmpty {
            page.raw("<dt>Detected</dt><dd>").text(entry.labels.joined(separator: ", ")).raw("</dd>")
        }
        if entry.eventType != entry.type.rawValue {
            page.raw("<dt>Event type</dt><dd class=\"mono\">").text(entry.eventType).raw("</dd>")
        }
        // The id the service, the logs and `proctor episodes` know the episode by.
        page.raw("<dt>Episode</dt><dd class=\"mono\" data-field=\"episode-id\">\(Self.key(entry.id))</dd>")
        page.raw("</dl></div>")
    }

    /// In a type's group, an episode whose frame is shown in another type's card.
    private func sharedPointer(_ entry: SessionReport.Entry, holder: SessionReport.Entry, into page: HTMLPage) {
        page.raw("<p class=\"shared sev-\(entry.severity.rawValue)\" data-shared-episode=\"\(Self.key(entry.id))\"")
        page.raw(" data-card=\"\(Self.key(holder.id))\"><span class=\"badge sev-\(entry.severity.rawValue)\">")
        page.raw("\(ReportText.severityIcon(entry.severity)) \(ReportText.severityName(entry.severity))</span> ")
        page.text(ReportText.typeName(entry.type)).raw(" \(ReportText.clock(entry.start)) – \(ReportText.clock(entry.end)): ")
        page.raw("<a href=\"#ep-\(Self.key(entry.id))\">same frame as ").text(ReportText.typeName(holder.type))
        page.raw(" at \(ReportText.clock(holder.start)), shown together ↗</a></p>")
    }

    private static func rank(_ severity: EpisodeSeverity) -> Int {
        switch severity {
        case .high: 0
        case .medium: 1
        case .low: 2
        }
    }

    private func method(_ report: SessionReport, into page: HTMLPage) {
        page.raw("<h2>How credibility is computed</h2><div class=\"method\" data-field=\"formula\">")
        for (index, line) in report.credibility.formula.enumerated() {
            page.raw(index == 0 ? "<p><code>" : "<p>").text(line).raw(index == 0 ? "</code></p>" : "</p>")
        }
        page.raw("<p>This session: Σ weight × counted seconds = ")
        page.text(String(format: "%.0f", report.credibility.weightedSeconds))
        let over = report.session.pointEvents == true ? "seconds of session length" : "monitored seconds"
        page.raw(" over \(String(format: "%.0f", report.session.monitoredSeconds)) \(over), score ")
        page.text(String(format: "%.1f", report.credibility.score)).raw(".</p></div>")
    }

    // MARK: Formatting

    /// What the level asks of the reviewer, in one line.
    private static func advice(_ level: Credibility.Level) -> String {
        switch level {
        case .high: "Little flagged time: the result can stand; spot-check if in doubt."
        case .medium: "Some flagged time: review the high-severity episodes before accepting the result."
        case .low: "Much flagged time: review the episodes before accepting the result."
        }
    }

    private static func levelIcon(_ level: Credibility.Level) -> String {
        switch level {
        case .high: "✔"
        case .medium: "!"
        case .low: "✖"
        }
    }

    private func dateTime(_ date: Date) -> String {
        let parts = components(date)
        let offset = timeZone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let zone = "UTC\(sign)\(Self.two(abs(offset) / 3600)):\(Self.two(abs(offset) / 60 % 60))"
        return "\(parts.year)-\(Self.two(parts.month))-\(Self.two(parts.day)) \(time(date)) \(zone)"
    }

    private func time(_ date: Date) -> String {
        let parts = components(date)
        return "\(Self.two(parts.hour)):\(Self.two(parts.minute)):\(Self.two(parts.second))"
    }

    /// Calendar fields in ``timeZone``; DateFormatter is neither Sendable nor cheap to make per card.
    private func components(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return (c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func key(_ id: UUID) -> String { id.uuidString.lowercased() }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    private static func percentage(_ value: Double) -> String { String(format: "%.4f%%", value) }
}

/// An HTML string under construction; `text` escapes, `raw` trusts its caller.
///
/// A class so that calls chain (`page.raw("<b>").text(name).raw("</b>")` reads like the markup it makes).
final class HTMLPage {
    private(set) var html = ""

    init() { html.reserveCapacity(1 << 20) }

    @discardableResult
    func raw(_ markup: String) -> HTMLPage {
        html += markup
        return self
    }

    @discardableResult
    func text(_ value: String) -> HTMLPage {
        html += HTMLEscaping.escape(value)
        return self
    }
}
