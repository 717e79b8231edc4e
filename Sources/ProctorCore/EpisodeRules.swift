/// A severity step taken once an episode has lasted long enough.
public struct Escalation: Sendable, Hashable, Codable {
    /// Seconds from the episode's start (the first frame that showed the condition).
    public var after: Double
    public var severity: EpisodeSeverity

    public init(after: Double, severity: EpisodeSeverity) {
        self.after = after
        self.severity = severity
    }
}

/// A rule that opens when its condition holds continuously for a while and closes when it has been
/// absent continuously for a while.
///
/// Opening: the condition must hold in every observation from the first holding one (the episode's
/// start) until one at least `openAfter` seconds later; a single observation without it cancels the
/// pending run. Closing: the episode closes at the first observation at least `closeAfter` seconds
/// after the first observation that lacked the condition, unless it came back in between; the end
/// time is the last observation where it held. Both durations are measured between observations,
/// so at 2 fps a 3 s opening delay needs 7 observations (t, t+0.5, ..., t+3).
public struct DurationRule: Sendable, Hashable, Codable {
    public var openAfter: Double
    public var closeAfter: Double
    public var severity: EpisodeSeverity
    public var escalation: Escalation?

    public init(openAfter: Double, closeAfter: Double, severity: EpisodeSeverity, escalation: Escalation? = nil) {
        self.openAfter = openAfter
        self.closeAfter = closeAfter
        self.severity = severity
        self.escalation = escalation
    }
}

/// A rule that votes over the last few analysed frames instead of over time, and also accumulates
/// weak evidence over them.
///
/// Used for phones: a detector that sees a phone in 2 of 3 frames is reliable even though single
/// frames flicker. It opens when at least `openCount` of the last `openWindow` frames show the
/// condition (start = the earliest of those frames) and closes when at least `closeCount` of the
/// last `closeWindow` frames lack it (end = the last frame that showed it). The default close vote,
/// 3 of 3, is stricter than the open vote so a flickering phone stays one episode instead of
/// opening and closing on alternate frames.
///
/// Evidence: a small phone held low scores 0.10-0.15 frame after frame, under the per-frame cut, while
/// a bottle can score 0.17 once. So the frame's best score counts as evidence from `minFrameEvidence`
/// up, and the rule also opens when the last `evidenceWindow` frames sum to at least `openEvidence`
/// over at least `minEvidenceFrames` frames (defaults: four checks at 0.12 open; one 0.17 never does).
/// A frame with evidence keeps an open episode open. `openEvidence` 0 turns the accumulation off.
public struct FrameVoteRule: Sendable, Hashable, Codable {
    public var openWindow: Int
    public var openCount: Int
    public var closeWindow: Int
    public var closeCount: Int
    public var severity: EpisodeSeverity
    public var evidenceWindow: Int
    public var openEvidence: Double
    public var minEvidenceFrames: Int
    public var minFrameEvidence: Double

    public init(
        openWindow: Int, openCount: Int, closeWindow: Int, closeCount: Int, severity: EpisodeSeverity,
        evidenceWindow: Int = 4, openEvidence: Double = 0.45, minEvidenceFrames: Int = 3, minFrameEvidence: Double = 0.1
    ) {
        self.openWindow = openWindow
        self.openCount = openCount
        self.closeWindow = closeWindow
        self.closeCount = closeCount
        self.severity = severity
        self.evidenceWindow = evidenceWindow
        self.openEvidence = openEvidence
        self.minEvidenceFrames = minEvidenceFrames
        self.minFrameEvidence = minFrameEvidence
    }

    /// Whether weak evidence is accumulated at all.
    public var accumulatesEvidence: Bool { openEvidence > 0 }

    private enum CodingKeys: String, CodingKey {
        case openWindow, openCount, closeWindow, closeCount, severity
        case evidenceWindow, openEvidence, minEvidenceFrames, minFrameEvidence
    }

    /// The vote keys are required; the evidence keys default (files written before they existed still load).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FrameVoteRule(openWindow: 3, openCount: 2, closeWindow: 3, closeCount: 3, severity: .high)
        self.init(
            openWindow: try c.decode(Int.self, forKey: .openWindow), openCount: try c.decode(Int.self, forKey: .openCount),
            closeWindow: try c.decode(Int.self, forKey: .closeWindow), closeCount: try c.decode(Int.self, forKey: .closeCount),
            severity: try c.decode(EpisodeSeverity.self, forKey: .severity),
            evidenceWindow: try c.decodeIfPresent(Int.self, forKey: .evidenceWindow) ?? d.evidenceWindow,
            openEvidence: try c.decodeIfPresent(Double.self, forKey: .openEvidence) ?? d.openEvidence,
            minEvidenceFrames: try c.decodeIfPresent(Int.self, forKey: .minEvidenceFrames) ?? d.minEvidenceFrames,
            minFrameEvidence: try c.decodeIfPresent(Double.self, forKey: .minFrameEvidence) ?? d.minFrameEvidence)
    }
}

/// The `camera_lost` rule: capture decides the camera is gone (it applies its own no-frame timeout),
/// the engine only debounces recovery.
///
/// The episode opens at the reported loss and closes once frames have flowed for `closeAfter`
/// seconds after the restore (or the first frame, if capture never reports one); its end is the
/// restore time. A new loss within that window continues the same episode, so a flapping USB
/// connection is one episode rather than dozens.
public struct CameraLostRule: Sendable, Hashable, Codable {
    public var closeAfter: Double
    public var severity: EpisodeSeverity

    public init(closeAfter: Double, severity: EpisodeSeverity) {
        self.closeAfter = closeAfter
        self.severity = severity
    }
}

/// Every threshold of the episode rules, with the defaults the product ships.
///
/// Decoding fills absent keys with the defaults, so a config file lists only what it changes; a rule
/// that is present must be complete.
public struct EpisodeRules: Sendable, Hashable, Codable {
    /// The per-frame judgements the rules debounce.
    public var policy = VerdictPolicy()
    /// No counted face in a frame that is not dark or flat.
    public var faceAbsent = DurationRule(
        openAfter: 3, closeAfter: 2, severity: .medium, escalation: Escalation(after: 30, severity: .high))
    /// The frame is dark, flat, or unchanged from the previous one.
    public var cameraBlocked = DurationRule(openAfter: 3, closeAfter: 2, severity: .high)
    /// Two or more counted faces.
    public var multipleFaces = DurationRule(openAfter: 1, closeAfter: 2, severity: .high)
    /// A person detection the candidate's face or body does not explain.
    public var extraPerson = DurationRule(openAfter: 2, closeAfter: 2, severity: .high)
    /// The candidate's head turned past the policy's yaw/pitch limits.
    public var lookingAway = DurationRule(
        openAfter: 4, closeAfter: 2, severity: .low, escalation: Escalation(after: 15, severity: .medium))
    /// A phone in the frame.
    public var phoneDetected = FrameVoteRule(openWindow: 3, openCount: 2, closeWindow: 3, closeCount: 3, severity: .high)
    public var cameraLost = CameraLostRule(closeAfter: 2, severity: .high)
    /// The candidate's usable face does not match the reference photo (frames that cannot tell are skipped).
    public var differentPerson = DurationRule(openAfter: 3, closeAfter: 2, severity: .high)
    /// When a face matches the reference photo, and which faces are clear enough to judge.
    public var identity = IdentityPolicy()
    /// Consecutive thumbnails closer than this mean absolute difference (0-255 scale) count as the same
    /// frame. A repeated frame scores 0; a live sensor's noise keeps a still scene above it.
    public var frozenFrameMaxDifference: Double = 0.1
    /// Looking-away confidence reaches 1 this many degrees past the threshold.
    public var lookingAwayFullConfidenceDegrees: Double = 30
    /// An open episode is reported as updated when its peak confidence rose at least this much since
    /// it was last reported, so near-equal frames do not cause a write per frame.
    public var minEvidenceGain: Double = 0.05
    /// The service's `event_type` per episode type.
    public var eventTypes = EventTypeMapping.standard

    public init() {}

    /// Throws the first setting that cannot work (negative durations, impossible votes).
    /// The longest debounce (open or close delay) a rule may have, and the longest escalation delay.
    static let maxSeconds = 3_600.0
    static let maxEscalationSeconds = 86_400.0

    public func validate() throws(EpisodeRulesError) {
        let durations: [(String, DurationRule)] = [
            ("faceAbsent", faceAbsent), ("cameraBlocked", cameraBlocked), ("multipleFaces", multipleFaces),
            ("extraPerson", extraPerson), ("lookingAway", lookingAway), ("differentPerson", differentPerson),
        ]
        for (name, rule) in durations {
            // An hour at most: the monitor keeps openAfter seconds of frames to find the evidence in.
            guard (0...Self.maxSeconds).contains(rule.openAfter), (0...Self.maxSeconds).contains(rule.closeAfter) else {
                throw EpisodeRulesError("\(name): openAfter and closeAfter must be in 0...\(Int(Self.maxSeconds)) s")
            }
            if let escalation = rule.escalation, !(0...Self.maxEscalationSeconds).contains(escalation.after) {
                throw EpisodeRulesError("\(name): escalation.after must be in 0...\(Int(Self.maxEscalationSeconds)) s")
            }
        }
        let vote = phoneDetected
        guard vote.openWindow <= 1000, vote.closeWindow <= 1000 else {
            throw EpisodeRulesError("phoneDetected: openWindow and closeWindow must be at most 1000")
        }
        guard vote.openWindow >= 1, (1...vote.openWindow).contains(vote.openCount) else {
            throw EpisodeRulesError("phoneDetected: need 1 <= openCount <= openWindow")
        }
        guard vote.closeWindow >= 1, (1...vote.closeWindow).contains(vote.closeCount) else {
            throw EpisodeRulesError("phoneDetected: need 1 <= closeCount <= closeWindow")
        }
        guard vote.openEvidence.isFinite, vote.openEvidence >= 0, vote.minFrameEvidence.isFinite, vote.minFrameEvidence > 0 else {
            throw EpisodeRulesError("phoneDetected: openEvidence must be finite and >= 0, minFrameEvidence finite and > 0")
        }
        guard vote.evidenceWindow >= 1, vote.evidenceWindow <= 1000, (1...vote.evidenceWindow).contains(vote.minEvidenceFrames) else {
            throw EpisodeRulesError("phoneDetected: need 1 <= minEvidenceFrames <= evidenceWindow <= 1000")
        }
        guard (0...Self.maxSeconds).contains(cameraLost.closeAfter) else {
            throw EpisodeRulesError("cameraLost: closeAfter must be in 0...\(Int(Self.maxSeconds)) s")
        }
        try identity.validate()
        guard frozenFrameMaxDifference.isFinite, frozenFrameMaxDifference >= 0 else {
            throw EpisodeRulesError("frozenFrameMaxDifference must be finite and >= 0")
        }
        guard lookingAwayFullConfidenceDegrees.isFinite, lookingAwayFullConfidenceDegrees > 0 else {
            throw EpisodeRulesError("lookingAwayFullConfidenceDegrees must be finite and > 0")
        }
        guard minEvidenceGain.isFinite, minEvidenceGain >= 0 else {
            throw EpisodeRulesError("minEvidenceGain must be finite and >= 0")
        }
    }

    /// The duration rule for a time-debounced episode type; nil for the vote and capture rules.
    public func durationRule(for type: EpisodeType) -> DurationRule? {
        switch type {
        case .faceAbsent: faceAbsent
        case .cameraBlocked: cameraBlocked
        case .multipleFaces: multipleFaces
        case .extraPerson: extraPerson
        case .lookingAway: lookingAway
        case .differentPerson: differentPerson
        case .phoneDetected, .cameraLost: nil
        }
    }

    private enum CodingKeys: String, CodingKey {
        case policy, faceAbsent, cameraBlocked, multipleFaces, extraPerson, lookingAway, phoneDetected, cameraLost
        case frozenFrameMaxDifference, lookingAwayFullConfidenceDegrees, minEvidenceGain, eventTypes
        case differentPerson, identity
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EpisodeRules()
        policy = try c.decodeIfPresent(VerdictPolicy.self, forKey: .policy) ?? d.policy
        faceAbsent = try c.decodeIfPresent(DurationRule.self, forKey: .faceAbsent) ?? d.faceAbsent
        cameraBlocked = try c.decodeIfPresent(DurationRule.self, forKey: .cameraBlocked) ?? d.cameraBlocked
        multipleFaces = try c.decodeIfPresent(DurationRule.self, forKey: .multipleFaces) ?? d.multipleFaces
        extraPerson = try c.decodeIfPresent(DurationRule.self, forKey: .extraPerson) ?? d.extraPerson
        lookingAway = try c.decodeIfPresent(DurationRule.self, forKey: .lookingAway) ?? d.lookingAway
        phoneDetected = try c.decodeIfPresent(FrameVoteRule.self, forKey: .phoneDetected) ?? d.phoneDetected
        cameraLost = try c.decodeIfPresent(CameraLostRule.self, forKey: .cameraLost) ?? d.cameraLost
        frozenFrameMaxDifference =
            try c.decodeIfPresent(Double.self, forKey: .frozenFrameMaxDifference) ?? d.frozenFrameMaxDifference
        lookingAwayFullConfidenceDegrees =
            try c.decodeIfPresent(Double.self, forKey: .lookingAwayFullConfidenceDegrees)
            ?? d.lookingAwayFullConfidenceDegrees
        minEvidenceGain = try c.decodeIfPresent(Double.self, forKey: .minEvidenceGain) ?? d.minEvidenceGain
        eventTypes = try c.decodeIfPresent(EventTypeMapping.self, forKey: .eventTypes) ?? d.eventTypes
        differentPerson = try c.decodeIfPresent(DurationRule.self, forKey: .differentPerson) ?? d.differentPerson
        identity = try c.decodeIfPresent(IdentityPolicy.self, forKey: .identity) ?? d.identity
    }
}
