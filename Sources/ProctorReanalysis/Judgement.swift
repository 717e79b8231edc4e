/// What the current pipeline says about one stored image and the event type stored with it.
public enum Judgement: Sendable, Hashable {
    /// The image shows what the stored event type claims.
    case confirms
    /// The image does not show it (a stored phone event with no phone seen): a candidate false accusation.
    case contradicts
    /// No judgement is possible; the problem says why.
    case cannotJudge(Problem)

    /// Why an image cannot be judged. Raw values are stored in `proctor_reanalysis.problem`.
    public enum Problem: String, Sendable, Hashable, CaseIterable, Codable {
        /// The file is not under the media root.
        case missingFile = "missing_file"
        /// The file is there but is not a readable image (truncated, not an image, too large).
        case unreadable
        /// The image row's event no longer exists.
        case eventDeleted = "event_deleted"
        /// The image row itself was deleted after it was queued.
        case rowDeleted = "row_deleted"
        /// The event type is not visible in a single image (tab_switch, camera_lost).
        case notVisual = "not_visual"
        /// An event type this version does not know.
        case unknownType = "unknown_type"
        /// A `different_person` event whose image has no clear face or whose student has no usable
        /// registration photo to compare with.
        case identityUnknown = "identity_unknown"
    }

    /// The value stored in `proctor_reanalysis.outcome`: confirmed, contradicted or unjudged.
    public var outcome: String {
        switch self {
        case .confirms: "confirmed"
        case .contradicts: "contradicted"
        case .cannotJudge: "unjudged"
        }
    }

    /// The value stored in `proctor_reanalysis.agrees`: nil when no judgement is possible.
    public var agrees: Bool? {
        switch self {
        case .confirms: true
        case .contradicts: false
        case .cannotJudge: nil
        }
    }

    public var problem: Problem? {
        if case .cannotJudge(let problem) = self { return problem }
        return nil
    }
}
