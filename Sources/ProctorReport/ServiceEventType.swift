import Foundation
import ProctorCore

/// Reads the service's `event_type` strings as the report's episode types, with the severity each defaults to.
///
/// The service writes its own names next to the monitor's: `object_detected` (a phone when
/// `detected_objects` holds "cell phone", an extra person when it holds "person"),
/// `multiple_persons` (several faces in the frame) and `gaze_detected` (looking away). Events the
/// report has no lane for (`tab_switch`, an object that is neither a phone nor a person, any
/// unknown name) map to nil: the database source counts them in a note instead of inventing a type.
/// The database stores no severity, so each type gets the one a reviewer would give it by default.
public enum ServiceEventType {
    /// The episode type of an event, or nil when the report has none for it.
    public static func episodeType(eventType: String, objects: [String]) -> EpisodeType? {
        let name = eventType.trimmingCharacters(in: .whitespaces).lowercased()
        if let own = EpisodeType(rawValue: name) { return own }
        switch name {
        case "object_detected":
            let labels = Set(objects.map { $0.lowercased() })
            if labels.contains("cell phone") { return .phoneDetected }
            if labels.contains("person") { return .extraPerson }
            return nil
        case "multiple_persons":
            // The monitor files different_person under multiple_persons with this label (README, identity continuity).
            if objects.contains(where: { $0.lowercased() == EpisodeType.differentPerson.rawValue }) { return .differentPerson }
            return .multipleFaces
        case "gaze_detected": return .lookingAway
        default: return nil
        }
    }

    /// The severity an event of `type` gets when its source records none.
    public static func defaultSeverity(_ type: EpisodeType) -> EpisodeSeverity {
        switch type {
        case .phoneDetected, .multipleFaces, .extraPerson, .cameraBlocked, .cameraLost, .differentPerson: .high
        case .faceAbsent: .medium
        case .lookingAway: .low
        }
    }
}
