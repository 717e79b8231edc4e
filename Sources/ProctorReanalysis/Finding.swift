import Foundation
import ProctorVision

/// One row of `proctor_reanalysis`: what the current pipeline saw in a stored image and its judgement.
public struct Finding: Sendable, Hashable {
    public var image: StoredImage
    /// The same record `proctor analyze` prints, with the stored relative path as `image`.
    public var record: AnalysisRecord
    public var judgement: Judgement
    /// The main face compared with the student's registration photo; nil when not compared.
    public var identity: IdentityFinding?

    public init(image: StoredImage, record: AnalysisRecord, judgement: Judgement, identity: IdentityFinding? = nil) {
        self.image = image
        self.record = record
        self.judgement = judgement
        self.identity = identity
    }

    /// The row as a JSON object for `jsonb_to_recordset`.
    func row() -> [String: Any] {
        var object: [String: Any] = [
            "source": image.source.rawValue, "image_id": image.imageID, "outcome": judgement.outcome,
            "verdicts": record.verdicts ?? [], "findings": findingsObject(),
        ]
        if let eventID = image.eventID { object["event_id"] = eventID }
        if let eventType = image.eventType { object["event_type"] = eventType }
        if let path = image.relativePath { object["image"] = path }
        if let agrees = judgement.agrees { object["agrees"] = agrees }
        if let problem = judgement.problem { object["problem"] = problem.rawValue }
        if let identity {
            object["identity_similarity"] = identity.similarity
            if let match = identity.match { object["identity_match"] = match }
        }
        return object
    }

    private func findingsObject() -> Any {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(record), let object = try? JSONSerialization.jsonObject(with: data) else {
            return ["image": record.image, "error": "encoding failed"]
        }
        return object
    }
}
