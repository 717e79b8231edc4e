import Foundation
import ProctorCore
import ProctorImaging
import ProctorOutbox
import ProctorReport
import ProctorTestSupport
import ProctorVision
import Testing

/// What the reviewer clicks and reads: full frames behind thumbnails, episode ids, one card per moment,
/// and times that say what was watched.
struct ReviewerPageTests {
    let utc = TimeZone(identifier: "UTC") ?? .current

    func demoPage() throws -> (report: SessionReport, page: ParsedPage) {
        let folder = try TemporaryDirectory()
        let outbox = try ReportFixtures.writeDemo(to: folder.path("outbox.sqlite"))
        defer { outbox.close() }
        let input = try OutboxReportSource(outbox: outbox).load(sessionID: nil)
        let report = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(input, now: ReportFixtures.demoStart)
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        try #require(page.parseError == nil, "\(page.parseError ?? "")")
        return (report, page)
    }

    @Test func everyThumbnailOpensItsFullFrame() throws {
        let (report, page) = try demoPage()
        let zooms = page.all("a") { $0.attributes["class"] == "zoom" }
        #expect(zooms.count == ReportFixtures.demoPlan.count - 1, "every episode with a frame")
        for zoom in zooms {
            let target = try #require(zoom.attributes["href"]?.dropFirst(), "\(zoom.attributes)")
            #expect(target.hasPrefix("frame-"))
            let lightbox = try #require(page.all("div") { $0.attributes["id"] == String(target) }.first, "no \(target)")
            #expect(lightbox.attributes["class"] == "lightbox")
            let key = String(target.dropFirst("frame-".count))
            // The close link goes back to the card, so Escape and "Close" land where the reviewer was.
            let close = try #require(page.all("a") { $0.attributes["class"] == "close" && $0.attributes["href"] == "#card-\(key)" }.first)
            #expect(close.text.contains("Close"))
            #expect(page.all("article") { $0.attributes["id"] == "card-\(key)" }.count == 1)
        }
        let fullImages = page.all("img") { $0.attributes["alt"]?.hasPrefix("Full evidence frame") == true }
        #expect(fullImages.count == zooms.count)
        for image in fullImages {
            // The demo frames are 640x360 JPEGs: shown at their own size, larger than the 320 px thumbnail.
            #expect(image.attributes["width"] == "640" && image.attributes["height"] == "360")
            #expect(image.attributes["loading"] == "lazy")
            let uri = try #require(image.attributes["src"])
            let bytes = try #require(Data(base64Encoded: String(uri.dropFirst("data:image/jpeg;base64,".count))))
            let decoded = try Image.decode([UInt8](bytes))
            #expect(decoded.width == 640 && decoded.height == 360)
        }
        #expect(report.episodes.filter { $0.fullFrame != nil }.count == zooms.count)
    }

    @Test func fullFramesStayWithinTheByteBudgetHighSeverityFirst() throws {
        let folder = try TemporaryDirectory()
        let outbox = try ReportFixtures.writeDemo(to: folder.path("outbox.sqlite"))
        defer { outbox.close() }
        let input = try OutboxReportSource(outbox: outbox).load(sessionID: nil)
        let roomy = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(input)
        func bytes(_ evidence: SessionReport.Evidence?) -> Int {
            guard let uri = evidence?.dataURI, let comma = uri.firstIndex(of: ",") else { return 0 }
            return Data(base64Encoded: String(uri[uri.index(after: comma)...]))?.count ?? 0
        }
        let thumbnails = roomy.episodes.reduce(0) { $0 + bytes($1.evidence) }
        let oneFrame = try #require(roomy.episodes.compactMap { $0.fullFrame }.map { bytes($0) }.max())
        // Room for the thumbnails and a little more than one full frame.
        let budget = thumbnails + oneFrame + oneFrame / 2 + 30_000
        let tight = ReportBuilder(shrinker: JPEGEvidenceShrinker(), evidenceBudgetBytes: budget).build(input)
        let withFull = tight.episodes.filter { $0.fullFrame != nil }
        #expect(!withFull.isEmpty && withFull.count < roomy.episodes.filter { $0.fullFrame != nil }.count)
        let spent = tight.episodes.reduce(0) { $0 + bytes($1.evidence) + bytes($1.fullFrame) }
        #expect(spent <= budget, "\(spent) > \(budget)")
        #expect(withFull.contains { $0.severity == .high }, "the phone episode gets its full frame first")
        // A card without a full frame has no link to one.
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(tight))
        #expect(page.all("a") { $0.attributes["class"] == "zoom" }.count == withFull.count)
    }

    @Test func eachEpisodeShowsItsID() throws {
        let (_, page) = try demoPage()
        let blocks = page.all("div") { $0.attributes["class"] == "ep" }
        #expect(blocks.count == ReportFixtures.demoPlan.count)
        for index in ReportFixtures.demoPlan.indices {
            let id = ReportFixtures.uuid(index).uuidString.lowercased()
            let block = try #require(blocks.first { $0.attributes["data-episode"] == id })
            #expect(block.attributes["id"] == "ep-\(id)", "the timeline links here")
            #expect(block.text.contains("Episode\(id)"), "\(block.text)")
        }
        let ids = page.all("dd") { $0.attributes["data-field"] == "episode-id" }.map(\.text)
        #expect(Set(ids).count == ReportFixtures.demoPlan.count)
    }

    @Test func episodesAtTheSameMomentShareOneCard() throws {
        let frame = try ReportFixtures.syntheticFrame(seed: 3)
        let thumbnail = Data(try frame.fitting(maxSide: 320).jpegData(quality: 80))
        let jpeg = Data(try frame.jpegData(quality: 85))
        let other = Data(try ReportFixtures.syntheticFrame(seed: 1).fitting(maxSide: 320).jpegData(quality: 80))
        let faces = ReportFixtures.uuid(1), person = ReportFixtures.uuid(2), away = ReportFixtures.uuid(3)
        let episodes = [
            ReportEpisodeInput(
                id: faces, type: .multipleFaces, severity: .high, start: 100, end: 130, peakConfidence: 0.8, framesSeen: 60,
                evidence: thumbnail, fullFrame: jpeg),
            ReportEpisodeInput(
                id: person, type: .extraPerson, severity: .high, start: 100, end: 125, peakConfidence: 0.7, framesSeen: 50,
                evidence: thumbnail, fullFrame: jpeg),
            ReportEpisodeInput(
                id: away, type: .lookingAway, severity: .low, start: 300, end: 310, peakConfidence: 0.6, framesSeen: 20,
                evidence: other),
            // The same bytes five minutes later (a frozen camera) are another moment: a card of their own.
            ReportEpisodeInput(
                id: ReportFixtures.uuid(4), type: .cameraBlocked, severity: .medium, start: 400, end: 420, peakConfidence: 0.9,
                framesSeen: 40, evidence: thumbnail),
        ]
        let session = ReportSession(
            id: "moment", studentID: "s-1", examID: "quiz", startedAt: ReportFixtures.demoStart,
            endedAt: ReportFixtures.demoStart.addingTimeInterval(600))
        let report = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(ReportInput(session: session, episodes: episodes))
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        try #require(page.parseError == nil, "\(page.parseError ?? "")")

        let cards = page.all("article")
        #expect(cards.count == 3)
        let shared = try #require(cards.first { $0.attributes["data-episodes"]?.contains(" ") == true })
        let key = { (id: UUID) in id.uuidString.lowercased() }
        #expect(Set(shared.attributes["data-episodes"]?.split(separator: " ").map(String.init) ?? []) == [key(faces), key(person)])
        #expect(shared.text.contains("2 episodes at this moment share this frame"))
        #expect(shared.text.contains(key(faces)) && shared.text.contains(key(person)))
        // The frame once, not once per episode.
        #expect(page.all("img") { $0.attributes["alt"]?.hasPrefix("Evidence frame") == true }.count == 3)
        #expect(report.episodes.first { $0.id == ReportFixtures.uuid(4) }?.sharesEvidenceWith == nil)
        #expect(page.all("img") { $0.attributes["alt"]?.hasPrefix("Full evidence frame") == true }.count == 1)
        // The card sits in the group of the type listed first; the other type's group points at it
        // instead of repeating the frame.
        let holder = try #require(report.episodes.first { [faces, person].contains($0.id) && $0.sharesEvidenceWith == nil })
        let sharer = holder.id == faces ? person : faces
        #expect(shared.attributes["id"] == "card-\(key(holder.id))")
        let pointer = try #require(page.all("p") { $0.attributes["data-shared-episode"] == key(sharer) }.first)
        #expect(pointer.attributes["data-card"] == key(holder.id))
        #expect(page.all("a") { $0.attributes["href"] == "#ep-\(key(sharer))" }.count >= 2, "timeline and pointer")
        #expect(page.all("div") { $0.attributes["id"] == "ep-\(key(sharer))" }.count == 1)
        #expect(report.episodes.first { $0.id == sharer }?.sharesEvidenceWith == holder.id)
        #expect(report.episodes.first { $0.id == away }?.sharesEvidenceWith == nil)
        // Both still count in the summary, each under its own type.
        #expect(report.summary.first { $0.type == .extraPerson }?.count == 1)
    }

    @Test func aReplayLastsItsMediaTimeAndSaysItIsAReplay() throws {
        let folder = try TemporaryDirectory()
        let outbox = try Outbox(path: folder.path("outbox.sqlite"))
        defer { outbox.close() }
        let start = ReportFixtures.demoStart
        // A 10-minute recording replayed in 50 s of wall time; its last episode ends at 4 minutes.
        try outbox.openSession(
            id: "replay", studentID: "s-1", examID: "quiz", startedAt: start,
            configJSON: #"{"fps":2,"source":{"kind":"replay","name":"exams/s-1.mp4"}}"#)
        let episode = EpisodeRecord(
            id: ReportFixtures.uuid(1), type: .lookingAway, eventType: "looking_away", severity: .low, startMedia: 200,
            endMedia: 240, peakConfidence: 0.6, framesSeen: 80, labels: ["face"], state: .closed)
        _ = try outbox.upsertEpisode(sessionID: "replay", episode: episode, evidenceJPEG: nil, thumbnailJPEG: nil)
        try outbox.heartbeat(sessionID: "replay", media: 600, framesAnalyzed: 1_200, secondsWithFace: 590)
        try outbox.closeSession(id: "replay", endedAt: start.addingTimeInterval(50), framesAnalyzed: 1_200, secondsWithFace: 590)

        let input = try OutboxReportSource(outbox: outbox).load(sessionID: "replay")
        let report = ReportBuilder(shrinker: nil).build(input)
        #expect(report.session.durationSeconds == 600, "the frames watched, not 50 s of wall time nor the last episode's end")
        #expect(report.session.monitoredSeconds == 600)
        #expect(report.session.source == .replay)
        let page = ParsedPage(HTMLReportRenderer(timeZone: utc).render(report))
        try #require(page.parseError == nil)
        #expect(page.field("duration") == "10 m 00 s")
        #expect(page.field("source") == "Replay of exams/s-1.mp4")

        // A camera session says nothing extra; one recorded before sources were (no key) neither.
        for (id, config) in [("camera", #"{"source":{"kind":"camera","name":"/dev/video0"}}"#), ("old", nil)] {
            try outbox.openSession(id: id, studentID: "s-1", examID: "quiz", startedAt: start, configJSON: config)
            try outbox.closeSession(id: id, endedAt: start.addingTimeInterval(300), framesAnalyzed: 600, secondsWithFace: 290)
            let other = ReportBuilder(shrinker: nil).build(try OutboxReportSource(outbox: outbox).load(sessionID: id))
            #expect(other.session.source == (id == "camera" ? .camera : nil))
            #expect(other.session.durationSeconds == 300)
            let otherPage = ParsedPage(HTMLReportRenderer(timeZone: utc).render(other))
            #expect(otherPage.field("source") == nil)
        }
    }
}
