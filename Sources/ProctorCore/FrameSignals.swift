/// One analysed frame as the rule trackers see it.
struct ObservedFrame: Sendable, Hashable {
    var sequence: Int
    var time: Double
    var analysis: FrameAnalysis
}

/// Whether one rule's condition holds in a frame, how strongly, and which detector labels it involves.
struct RuleSignal: Sendable, Hashable {
    var holds: Bool
    var confidence: Double
    var labels: Set<String>
    /// Weak support below the per-frame cut (phones: the best score from the rule's evidence floor up);
    /// 0 when there is none.
    var evidence: Double = 0

    static let absent = RuleSignal(holds: false, confidence: 0, labels: [])
}

/// The per-rule signals of one frame, derived from the verdict policy so that rules and verdicts
/// always agree on what a frame shows.
struct FrameSignals: Sendable {
    private var signals: [EpisodeType: RuleSignal] = [:]
    private let objectsChecked: Bool
    private var identityJudged = false

    init(analysis: FrameAnalysis, unchanged: Bool, rules: EpisodeRules) {
        objectsChecked = analysis.objectsChecked
        let policy = rules.policy
        let verdicts = Set(policy.verdicts(for: analysis))
        if verdicts.contains(.noFace) {
            signals[.faceAbsent] = RuleSignal(holds: true, confidence: 1, labels: [])
        }
        if verdicts.contains(.cameraBlocked) || unchanged {
            signals[.cameraBlocked] = RuleSignal(holds: true, confidence: 1, labels: [])
        }
        let faces = policy.countedFaces(in: analysis)
        if verdicts.contains(.multipleFaces) {
            // The second-best face score: how sure we are that there is more than one face.
            let scores = faces.map(\.score).sorted(by: >)
            signals[.multipleFaces] = RuleSignal(holds: true, confidence: scores.dropFirst().first ?? 0, labels: ["face"])
        }
        if verdicts.contains(.extraPerson) {
            let best = policy.extraPersons(in: analysis).map(\.score).max() ?? 0
            signals[.extraPerson] = RuleSignal(holds: true, confidence: best, labels: [DetectedObject.personLabel])
        }
        let phoneScore = analysis.objects(labelled: DetectedObject.phoneLabel).map(\.score).max() ?? 0
        if verdicts.contains(.phone) {
            let best = policy.phones(in: analysis).map(\.score).max() ?? 0
            signals[.phoneDetected] = RuleSignal(
                holds: true, confidence: best, labels: [DetectedObject.phoneLabel], evidence: max(best, phoneScore))
        } else if rules.phoneDetected.accumulatesEvidence, phoneScore >= rules.phoneDetected.minFrameEvidence {
            signals[.phoneDetected] = RuleSignal(
                holds: false, confidence: phoneScore, labels: [DetectedObject.phoneLabel], evidence: phoneScore)
        }
        if verdicts.contains(.lookingAway),
            let pose = faces.max(by: { $0.box.area < $1.box.area })?.pose
        {
            let excess = max(abs(pose.yaw) - policy.maxYaw, -pose.pitch - policy.maxPitchDown)
            let confidence = min(1, max(0, excess / rules.lookingAwayFullConfidenceDegrees))
            signals[.lookingAway] = RuleSignal(holds: true, confidence: confidence, labels: [])
        }
        switch rules.identity.judge(countedFaces: faces, blocked: verdicts.contains(.cameraBlocked)) {
        case .cannotTell: break
        case .match: identityJudged = true
        case .different(let confidence):
            identityJudged = true
            // ServiceVocabulary adds the marker that tells this event apart from other object_detected events.
            signals[.differentPerson] = RuleSignal(holds: true, confidence: confidence, labels: ["face"])
        }
    }

    subscript(type: EpisodeType) -> RuleSignal { signals[type] ?? .absent }

    /// Whether the frame says anything about `type`: a frame the object detector skipped (the monitor
    /// runs it on every Nth frame) tells neither that a phone or an extra person is there nor that it
    /// is gone, so those rules must not step on it.
    func informs(_ type: EpisodeType) -> Bool {
        switch type {
        case .phoneDetected, .extraPerson: objectsChecked
        // Frames without a usable, compared candidate face neither show nor refute a different person.
        case .differentPerson: identityJudged
        default: true
        }
    }
}
