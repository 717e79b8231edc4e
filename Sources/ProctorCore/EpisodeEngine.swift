#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns per-frame observations and capture events into violation episodes.
///
/// Deterministic and clock-free: every input carries its media time (seconds from session start) and
/// the output depends only on the inputs and the injected id generator. Each call returns the changes
/// the caller must persist, in a fixed order (camera loss first, then ``EpisodeType/allCases`` order).
///
/// Inputs must arrive in non-decreasing time order; an input with an earlier or non-finite time is
/// ignored and counted in ``ignoredInputs`` rather than corrupting the debouncing state. After
/// ``finish(time:)`` every input is ignored.
///
/// Evidence frames can be older than the frame just observed (a run's best frame may precede the
/// opening), so the caller keeps ``longestOpenDelay`` seconds of frames to resolve them.
public struct EpisodeEngine: Sendable {
    public let rules: EpisodeRules
    /// Inputs dropped for arriving out of order, with a non-finite time, or after `finish`.
    public private(set) var ignoredInputs = 0
    public private(set) var isFinished = false

    private let makeID: @Sendable () -> UUID
    private var durations: [EpisodeType: DurationTracker] = [:]
    private var phone: VoteTracker
    private var cameraLoss: CameraLossTracker
    private var frozen: FrozenFrameDetector
    private var nextSequence = 0
    private var latestTime: Double?

    /// An engine for one session; `makeID` lets tests and replays get predictable episode ids.
    public init(rules: EpisodeRules = EpisodeRules(), makeID: @escaping @Sendable () -> UUID = { UUID() })
        throws(EpisodeRulesError)
    {
        try rules.validate()
        self.rules = rules
        self.makeID = makeID
        for type in EpisodeType.allCases {
            guard let rule = rules.durationRule(for: type) else { continue }
            durations[type] = DurationTracker(type: type, rule: rule, minEvidenceGain: rules.minEvidenceGain)
        }
        phone = VoteTracker(type: .phoneDetected, rule: rules.phoneDetected, minEvidenceGain: rules.minEvidenceGain)
        cameraLoss = CameraLossTracker(rule: rules.cameraLost)
        frozen = FrozenFrameDetector(maxMeanDifference: rules.frozenFrameMaxDifference)
    }

    /// The episodes open right now, in ``EpisodeType/allCases`` order.
    public var openEpisodes: [Episode] {
        EpisodeType.allCases.compactMap { type in
            switch type {
            case .phoneDetected: phone.current
            case .cameraLost: cameraLoss.current
            default: durations[type]?.current
            }
        }
    }

    /// How far back, in seconds, an opening episode's evidence frame can lie behind the frame that opened
    /// it (the longest `openAfter`); the phone rule adds up to `max(openWindow, evidenceWindow) - 1` checked frames. The caller's
    /// frame buffer must cover at least this much.
    public var longestOpenDelay: Double {
        EpisodeType.allCases.compactMap { rules.durationRule(for: $0)?.openAfter }.max() ?? 0
    }

    /// The service's `event_type` for an episode, per ``EpisodeRules/eventTypes``.
    public func eventType(for episode: Episode) -> String {
        rules.eventTypes.eventType(for: episode.type, severity: episode.severity)
    }

    /// Feeds one analysed frame; `thumbnail` (a small grayscale image, same size every frame) lets the
    /// engine notice a frozen feed.
    public mutating func observe(time: Double, analysis: FrameAnalysis, thumbnail: [UInt8]? = nil) -> [EpisodeChange] {
        guard admit(time) else { return [] }
        let unchanged = thumbnail.map { frozen.isUnchanged($0) } ?? false
        return process(time: time, analysis: analysis, unchanged: unchanged)
    }

    /// Feeds one analysed frame with the caller's own frozen-frame judgement (true when the frame
    /// repeats the previous one).
    public mutating func observe(time: Double, analysis: FrameAnalysis, frameUnchanged: Bool) -> [EpisodeChange] {
        guard admit(time) else { return [] }
        return process(time: time, analysis: analysis, unchanged: frameUnchanged)
    }

    /// Capture reports the camera gone. Frame-based episodes close at the last time they were seen
    /// (nothing can be observed any more) and pending runs are dropped; `camera_lost` opens.
    public mutating func cameraLost(time: Double) -> [EpisodeChange] {
        guard admit(time) else { return [] }
        var changes: [EpisodeChange] = []
        if !cameraLoss.isLost { changes += stopFrameRules() }
        if let change = cameraLoss.lost(at: time, makeID: makeID) { changes.append(change) }
        return changes
    }

    /// Capture reports the camera back; `camera_lost` closes once frames have flowed for its `closeAfter`.
    public mutating func cameraRestored(time: Double) -> [EpisodeChange] {
        guard admit(time) else { return [] }
        return cameraLoss.restored(at: time).map { [$0] } ?? []
    }

    /// Ends the session: every open episode closes (frame rules at their last sighting, `camera_lost`
    /// at its restore or at `time`); pending runs that never opened are dropped.
    public mutating func finish(time: Double) -> [EpisodeChange] {
        guard !isFinished else {
            ignoredInputs += 1
            return []
        }
        let end = max(time.isFinite ? time : (latestTime ?? 0), latestTime ?? -Double.infinity)
        var changes: [EpisodeChange] = []
        if let change = cameraLoss.stop(at: end) { changes.append(change) }
        changes += stopFrameRules()
        isFinished = true
        return changes
    }

    private mutating func admit(_ time: Double) -> Bool {
        guard !isFinished, time.isFinite, time >= (latestTime ?? -Double.infinity) else {
            ignoredInputs += 1
            return false
        }
        latestTime = time
        return true
    }

    private mutating func process(time: Double, analysis: FrameAnalysis, unchanged: Bool) -> [EpisodeChange] {
        var changes: [EpisodeChange] = []
        if let change = cameraLoss.frameArrived(at: time) { changes.append(change) }
        let frame = ObservedFrame(sequence: nextSequence, time: time, analysis: analysis)
        nextSequence += 1
        let signals = FrameSignals(analysis: analysis, unchanged: unchanged, rules: rules)
        for type in EpisodeType.allCases where signals.informs(type) {
            let change: EpisodeChange?
            switch type {
            case .cameraLost: change = nil
            case .phoneDetected: change = phone.step(frame: frame, signal: signals[type], makeID: makeID)
            default: change = durations[type]?.step(frame: frame, signal: signals[type], makeID: makeID)
            }
            if let change { changes.append(change) }
        }
        return changes
    }

    private mutating func stopFrameRules() -> [EpisodeChange] {
        frozen.reset()
        var changes: [EpisodeChange] = []
        for type in EpisodeType.allCases {
            let change: EpisodeChange?
            switch type {
            case .cameraLost: change = nil
            case .phoneDetected: change = phone.stop()
            default: change = durations[type]?.stop()
            }
            if let change { changes.append(change) }
        }
        return changes
    }
}
