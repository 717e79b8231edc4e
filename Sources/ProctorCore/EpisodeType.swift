/// The kinds of violation episode the rules engine reports.
///
/// Raw values are the snake_case names used in configuration, storage and logs; the service's own
/// `event_type` strings come from ``ServiceVocabulary`` and ``EventTypeMapping``, so renaming on the service side never
/// touches stored data.
public enum EpisodeType: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    case faceAbsent = "face_absent"
    case cameraBlocked = "camera_blocked"
    case multipleFaces = "multiple_faces"
    case extraPerson = "extra_person"
    case phoneDetected = "phone_detected"
    case lookingAway = "looking_away"
    case cameraLost = "camera_lost"
    /// The candidate's face does not match the registered student's reference photo.
    case differentPerson = "different_person"
}

/// How serious an episode is; an open episode may only move up.
public enum EpisodeSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case low
    case medium
    case high

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }

    public static func < (lhs: EpisodeSeverity, rhs: EpisodeSeverity) -> Bool { lhs.rank < rhs.rank }
}
