import Foundation
import ProctorCore
import ProctorOutbox

/// Everything a sink needs to deliver one episode.
public struct Shipment: Sendable {
    public var episode: StoredEpisode
    /// The platform's student id (the service's `clerk_id`), from the episode's session.
    public var studentID: String
    /// The platform's exam id, from the episode's session.
    public var examID: String
    /// The full evidence frame as stored in the outbox; nil for episodes without a frame (`camera_lost`).
    public var evidenceJPEG: Data?

    public init(episode: StoredEpisode, studentID: String, examID: String, evidenceJPEG: Data?) {
        self.episode = episode
        self.studentID = studentID
        self.examID = examID
        self.evidenceJPEG = evidenceJPEG
    }

    /// The service's `detected_objects`: the detector's labels plus the vocabulary's marker.
    public var detectedObjects: [String] {
        let record = episode.record
        return ServiceVocabulary.detectedObjects(
            type: record.type, severity: record.severity, eventType: record.eventType, labels: record.labels)
    }

    /// The episode id as sinks spell it: lowercase UUID.
    public var key: String { episode.id.uuidString.lowercased() }
}

/// What a sink reports for a delivered episode.
public struct DeliveryReceipt: Sendable, Hashable {
    /// The service's id for the record, e.g. the `cheatingevent` id.
    public var remoteID: String?
    /// True when the sink found the episode already there and created nothing.
    public var alreadyPresent: Bool

    public init(remoteID: String?, alreadyPresent: Bool = false) {
        self.remoteID = remoteID
        self.alreadyPresent = alreadyPresent
    }
}

/// A destination for episodes. Calls block (the shipper runs on its own thread) and may come from
/// any thread, one at a time.
public protocol DeliverySink: Sendable {
    /// Stored in the outbox as the delivering sink, e.g. "api" or "postgres".
    var name: String { get }
    /// Whether delivering a newer revision of an already delivered episode updates the service's
    /// record instead of creating a second one. The REST API cannot update; the database sink can.
    var updatesInPlace: Bool { get }
    /// Delivers one episode; returns only once the service has committed it.
    func deliver(_ shipment: Shipment) throws(DeliveryFailure) -> DeliveryReceipt
}
