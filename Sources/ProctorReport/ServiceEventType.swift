import Foundation
import ProctorCore

/// Reads the service's `event_type` strings as the report's episode types, with the severity each defaults to.
///
/// The names and their `detected_objects` markers are ``ServiceVocabulary``'s (the one table the
/// monitor sends by). Events the report has no lane for (`tab_switch`, an object that is neither
/// of ours, any unknown name) map to nil: the database source counts them in a note instead of
/// inventing a type. The database stores no severity, so each type gets the one its name implies
/// (a `no face` object is a long absence: high) or the one a reviewer would give it by default.
public enum ServiceEventType {
    /// The episode type of an event, or nil when the report has none for it.
    public static func episodeType(eventType: String, objects: [String]) -> EpisodeType? {
        ServiceVocabulary.episodeType(eventType: eventType, objects: objects)
    }

    /// The severity of a stored event of `type` sent as `eventType`.
    public static func severity(eventType: String, type: EpisodeType) -> EpisodeSeverity {
        ServiceVocabulary.impliedSeverity(eventType: eventType, type: type) ?? defaultSeverity(type)
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
