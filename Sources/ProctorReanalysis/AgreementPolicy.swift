import Foundation
import ProctorCore

/// Decides whether one frame's verdicts confirm a stored `event_type`.
///
/// Knows both vocabularies: the monitor's episode types (`face_absent`, `camera_blocked`,
/// `multiple_faces`, `extra_person`, `phone_detected`, `looking_away`, `camera_lost`) and the
/// service's own names (`object_detected`, `multiple_persons`, `gaze_detected`, `tab_switch`).
/// A pure function of its inputs.
public struct AgreementPolicy: Sendable, Hashable {
    /// The pseudo event type of a student's reference photo (`proctoring_student.photo`).
    public static let studentPhoto = "student_photo"

    /// What a stored event type claims a frame shows, as the verdicts that would support it.
    public enum Claim: Sendable, Hashable {
        /// Confirmed when any of these verdicts is present.
        case anyOf(Set<Verdict>)
        /// A reference photo: confirmed when exactly one usable face shows and nothing is blocked.
        case usableReferencePhoto
        /// Not visible in one image.
        case notVisual
    }

    /// Event types are compared case-insensitively, after trimming.
    public var claims: [String: Claim] = [
        "face_absent": .anyOf([.noFace, .cameraBlocked]),
        "no_face": .anyOf([.noFace, .cameraBlocked]),
        "camera_blocked": .anyOf([.cameraBlocked]),
        "multiple_faces": .anyOf([.multipleFaces]),
        "extra_person": .anyOf([.extraPerson, .multipleFaces]),
        "multiple_persons": .anyOf([.extraPerson, .multipleFaces]),
        "phone_detected": .anyOf([.phone]),
        "object_detected": .anyOf([.phone]),
        "looking_away": .anyOf([.lookingAway]),
        "gaze_detected": .anyOf([.lookingAway]),
        "tab_switch": .notVisual,
        "camera_lost": .notVisual,
        // Judged by the identity finding (the main face against the registration photo) in the reanalyzer.
        "different_person": .notVisual,
        studentPhoto: .usableReferencePhoto,
    ]

    public init() {}

    /// Judges a stored event type against the verdicts of the analysed image.
    /// - Parameter eventType: nil when the image's event was deleted.
    public func judge(eventType: String?, verdicts: [Verdict]) -> Judgement {
        guard let eventType else { return .cannotJudge(.eventDeleted) }
        let key = eventType.trimmingCharacters(in: .whitespaces).lowercased()
        guard let claim = claims[key] else { return .cannotJudge(.unknownType) }
        switch claim {
        case .notVisual:
            return .cannotJudge(.notVisual)
        case .anyOf(let supporting):
            return verdicts.contains(where: supporting.contains) ? .confirms : .contradicts
        case .usableReferencePhoto:
            let spoiled: Set<Verdict> = [.noFace, .multipleFaces, .cameraBlocked]
            return verdicts.contains(where: spoiled.contains) ? .contradicts : .confirms
        }
    }
}
