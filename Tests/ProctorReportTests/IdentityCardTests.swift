import Foundation
import ProctorCore
import ProctorReport
import ProctorTestSupport
import Testing

/// A `different_person` card shows the registered photo beside the evidence frame.
struct IdentityCardTests {
    func jpeg(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func input(reference: Data?) throws -> ReportInput {
        let session = ReportSession(
            id: "s", studentID: "clerk-2", examID: "e", startedAt: Date(timeIntervalSince1970: 1_747_040_400),
            endedAt: Date(timeIntervalSince1970: 1_747_040_400 + 600))
        let episodes = [
            ReportEpisodeInput(
                id: UUID(), type: .differentPerson, severity: .high, start: 120, end: 140, peakConfidence: 0.9, framesSeen: 20,
                labels: ["face"], evidence: try jpeg(IdentityAssets.deepface("img3.jpg")), evidenceKind: .plain),
            ReportEpisodeInput(
                id: UUID(), type: .phoneDetected, severity: .high, start: 300, end: 310, peakConfidence: 0.8, framesSeen: 6,
                labels: ["cell phone"], evidence: try jpeg(TestAssets.photo("phone.jpg"))),
        ]
        return ReportInput(session: session, episodes: episodes, reference: reference)
    }

    @Test func differentPersonCardShowsTheReferenceBesideTheEvidence() throws {
        let report = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(try input(reference: try jpeg(IdentityAssets.deepface("img2.jpg"))))
        let reference = try #require(report.reference)
        #expect(reference.dataURI.hasPrefix("data:image/jpeg;base64,") && max(reference.width, reference.height) <= 480)
        let page = ParsedPage(HTMLReportRenderer(timeZone: TimeZone(identifier: "UTC") ?? .current).render(report))
        try #require(page.parseError == nil, "\(page.parseError ?? "")")
        let cards = page.all("article") { $0.attributes["data-type"] == "different_person" }
        #expect(cards.count == 1 && cards.first?.text.contains("Registered photo") == true && cards.first?.text.contains("Evidence frame") == true)
        #expect(page.all("img") { $0.attributes["data-field"] == "reference" }.count == 1)
        #expect(page.all("article") { $0.attributes["data-type"] == "phone_detected" }.first?.text.contains("Registered photo") == false)
        #expect(ReportText.typeName(.differentPerson) == "Different person")
        // Sent as object_detected (counted by the service's report page), its marker tells it apart when read back.
        #expect(ServiceEventType.episodeType(eventType: "object_detected", objects: ["different person", "face"]) == .differentPerson)
        #expect(ServiceEventType.episodeType(eventType: "object_detected", objects: ["person"]) == .extraPerson)
        #expect(ServiceEventType.episodeType(eventType: "different_person", objects: []) == .differentPerson)
    }

    @Test func withoutAReferenceTheCardShowsTheEvidenceAlone() throws {
        let report = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(try input(reference: nil))
        #expect(report.reference == nil)
        let page = ParsedPage(HTMLReportRenderer(timeZone: TimeZone(identifier: "UTC") ?? .current).render(report))
        #expect(page.all("img") { $0.attributes["data-field"] == "reference" }.isEmpty)
        #expect(page.all("article") { $0.attributes["data-type"] == "different_person" }.count == 1)
    }
}
