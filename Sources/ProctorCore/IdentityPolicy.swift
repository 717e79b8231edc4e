/// Whether the person at the desk is the registered student, judged from one frame.
///
/// The vision layer measures each face's cosine similarity to the reference photo
/// (``DetectedFace/referenceSimilarity``); this policy turns it into a judgement. A face that is too
/// small, too turned or too doubtful to judge is "cannot tell", never "different": the rule only
/// counts frames that say something.
public struct IdentityPolicy: Sendable, Hashable, Codable {
    /// Cosine similarity at or above which a face is the reference person. Chosen from measured
    /// genuine and impostor pairs (README, "Identity continuity"): genuine min 0.448, impostor max
    /// 0.396 over the 280 deepface pairs as photos and as webcam-like frames; 0.42 sits in that gap.
    public var matchThreshold = 0.42
    /// The shorter side of a face box below this many pixels is too small to judge.
    public var minFaceSide = 60.0
    /// Faces turned further than this (|yaw|, degrees) are not judged.
    public var maxYaw = 35.0
    /// ...nor tilted further than this (|pitch|, degrees).
    public var maxPitch = 30.0

    public init() {}

    /// What one frame says about the candidate's identity.
    public enum Judgement: Sendable, Hashable {
        /// The candidate's face matches the reference (or another face present does, better).
        case match
        /// The candidate's face is judged and does not match; `confidence` in 0...1 grows as the
        /// similarity falls below the threshold.
        case different(confidence: Double)
        /// No usable, measured candidate face in this frame.
        case cannotTell
    }

    public func matches(_ similarity: Double) -> Bool { similarity >= matchThreshold }

    /// Whether a face is clear enough for its similarity to count.
    public func isUsable(_ face: DetectedFace) -> Bool {
        guard face.landmarks != nil, min(face.box.width, face.box.height) >= minFaceSide else { return false }
        if let pose = face.pose, abs(pose.yaw) > maxYaw || abs(pose.pitch) > maxPitch { return false }
        return true
    }

    /// Judges a frame: the candidate is the largest of `countedFaces` (the verdict policy's faces).
    /// An unknown second face that matches better than the candidate's is not a different person.
    public func judge(countedFaces faces: [DetectedFace], blocked: Bool) -> Judgement {
        guard !blocked, let candidate = faces.max(by: { $0.box.area < $1.box.area }),
            let similarity = candidate.referenceSimilarity, isUsable(candidate)
        else { return .cannotTell }
        if matches(similarity) { return .match }
        let betterOther = faces.contains { face in
            face != candidate && isUsable(face) && (face.referenceSimilarity.map { matches($0) && $0 > similarity } ?? false)
        }
        if betterOther { return .match }
        let confidence = matchThreshold > 0 ? (matchThreshold - similarity) / matchThreshold : 1
        return .different(confidence: min(1, max(0, confidence)))
    }

    /// Throws the first setting that cannot work.
    public func validate() throws(EpisodeRulesError) {
        guard matchThreshold.isFinite, (-1...1).contains(matchThreshold) else {
            throw EpisodeRulesError("identity.matchThreshold must be in -1...1")
        }
        guard minFaceSide.isFinite, minFaceSide >= 0 else { throw EpisodeRulesError("identity.minFaceSide must be finite and >= 0") }
        guard maxYaw.isFinite, maxYaw > 0, maxPitch.isFinite, maxPitch > 0 else {
            throw EpisodeRulesError("identity.maxYaw and identity.maxPitch must be finite and > 0")
        }
    }

    private enum CodingKeys: String, CodingKey { case matchThreshold, minFaceSide, maxYaw, maxPitch }

    /// Absent keys keep their defaults, so a config file lists only what it changes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = IdentityPolicy()
        matchThreshold = try c.decodeIfPresent(Double.self, forKey: .matchThreshold) ?? d.matchThreshold
        minFaceSide = try c.decodeIfPresent(Double.self, forKey: .minFaceSide) ?? d.minFaceSide
        maxYaw = try c.decodeIfPresent(Double.self, forKey: .maxYaw) ?? d.maxYaw
        maxPitch = try c.decodeIfPresent(Double.self, forKey: .maxPitch) ?? d.maxPitch
    }
}
