import Foundation
import ProctorCore

/// Decides whether one frame's verdicts confirm a stored `event_type`.
///
/// Reads the stored event with ``ServiceVocabulary`` (both vocabularies: the monitor's episode
/// types and the service's names, with the `detected_objects` that tell `object_detected` events
/// apart), then asks whether the frame shows what that episode type claims. A pure function of its inputs.
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

    /// What an episode of each type claims.
    public var claims: [EpisodeType: Claim] = [
        .faceAbsent: .anyOf([.noFace, .cameraBlocked]),
        .cameraBlocked: .anyOf([.cameraBlocked]),
        .multipleFaces: .anyOf([.multipleFaces]),
        .extraPerson: .anyOf([.extraPerson, .multipleFaces]),
        .phoneDetected: .anyOf([.phone]),
        .lookingAway: .anyOf([.lookingAway]),
        .cameraLost: .notVisual,
        // Judged by the identity finding (the main face against the registration photo) in the reanalyzer.
        .differentPerson: .notVisual,
    ]

    public init() {}

    /// Judges a stored event type against the verdicts of the analysed image.
    /// - Parameters:
    ///   - eventType: nil when the image's event was deleted.
    ///   - objects: the event's `detected_objects`.
    public func judge(eventType: String?, objects: [String] = [], verdicts: [Verdict]) -> Judgement {
        guard let eventType else { return .cannotJudge(.eventDeleted) }
        let key = eventType.trimmingCharacters(in: .whitespaces).lowercased()
        let claim: Claim
        if key == Self.studentPhoto {
            claim = .usableReferencePhoto
        } else if key == "tab_switch" {
            claim = .notVisual
        } else if let type = ServiceVocabulary.episodeType(eventType: key, objects: objects), let known = claims[type] {
            claim = known
        } else if key == "object_detected" {
            // The service's own detector flags phones (and books, cups...) without a label we know.
            claim = .anyOf([.phone])
        } else {
            return .cannotJudge(.unknownType)
        }
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
