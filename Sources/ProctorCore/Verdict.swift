/// What a single frame suggests, before any debouncing over time.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case noFace = "no_face"
    case multipleFaces = "multiple_faces"
    case extraPerson = "extra_person"
    case phone = "phone"
    case lookingAway = "looking_away"
    case cameraBlocked = "camera_blocked"

    private var order: Int {
        switch self {
        case .noFace: 0
        case .multipleFaces: 1
        case .extraPerson: 2
        case .phone: 3
        case .lookingAway: 4
        case .cameraBlocked: 5
        }
    }

    public static func < (lhs: Verdict, rhs: Verdict) -> Bool {
        lhs.order < rhs.order
    }
}
