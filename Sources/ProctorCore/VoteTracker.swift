#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs one ``FrameVoteRule`` over a sliding window of the latest analysed frames.
struct VoteTracker: Sendable {
    let type: EpisodeType
    let rule: FrameVoteRule
    let minEvidenceGain: Double

    private struct Vote: Sendable {
        var frame: ObservedFrame
        var signal: RuleSignal
    }

    /// The latest frames, newest last; cleared on close so old votes cannot reopen a closed episode.
    private var recent: [Vote] = []
    private var run: EpisodeAccumulator?
    private var openID: UUID?
    private var reportedPeak = 0.0

    init(type: EpisodeType, rule: FrameVoteRule, minEvidenceGain: Double) {
        self.type = type
        self.rule = rule
        self.minEvidenceGain = minEvidenceGain
    }

    var current: Episode? {
        guard let run, let openID else { return nil }
        return run.episode(id: openID, type: type, severity: rule.severity, closed: false)
    }

    /// Whether a frame supports the condition: it holds, or (evidence on) carries weak evidence.
    private func supports(_ signal: RuleSignal) -> Bool {
        signal.holds || (rule.accumulatesEvidence && signal.evidence >= rule.minFrameEvidence)
    }

    /// The frames that open the episode now, oldest first: the vote's holding frames, else the evidence
    /// window's supporting frames when they add up; nil when neither opens.
    private func opening() -> [Vote]? {
        let holding = recent.suffix(rule.openWindow).filter(\.signal.holds)
        if holding.count >= rule.openCount { return holding }
        guard rule.accumulatesEvidence else { return nil }
        let supporting = recent.suffix(rule.evidenceWindow).filter { supports($0.signal) }
        let total = supporting.map(\.signal.evidence).reduce(0, +)
        guard supporting.count >= rule.minEvidenceFrames, total >= rule.openEvidence - 1e-9 else { return nil }
        return supporting
    }

    mutating func step(frame: ObservedFrame, signal: RuleSignal, makeID: () -> UUID) -> EpisodeChange? {
        recent.append(Vote(frame: frame, signal: signal))
        let keep = max(rule.openWindow, rule.closeWindow, rule.accumulatesEvidence ? rule.evidenceWindow : 0)
        if recent.count > keep { recent.removeFirst(recent.count - keep) }

        if let openID, var accumulated = run {
            if supports(signal) {
                accumulated.add(frame: frame, signal: signal)
                run = accumulated
                guard accumulated.peak > reportedPeak, accumulated.peak - reportedPeak >= minEvidenceGain else {
                    return nil
                }
                reportedPeak = accumulated.peak
                return .updated(accumulated.episode(id: openID, type: type, severity: rule.severity, closed: false))
            }
            let absent = recent.suffix(rule.closeWindow).filter { !supports($0.signal) }.count
            return absent >= rule.closeCount ? stop() : nil
        }

        guard let holding = opening(), let first = holding.first else { return nil }
        var accumulated = EpisodeAccumulator(frame: first.frame, signal: first.signal)
        for vote in holding.dropFirst() {
            accumulated.add(frame: vote.frame, signal: vote.signal)
        }
        let id = makeID()
        run = accumulated
        openID = id
        reportedPeak = accumulated.peak
        return .opened(accumulated.episode(id: id, type: type, severity: rule.severity, closed: false))
    }

    /// Closes an open episode at the last frame that showed the condition and clears the window.
    mutating func stop() -> EpisodeChange? {
        defer {
            recent.removeAll()
            run = nil
            openID = nil
            reportedPeak = 0
        }
        guard let run, let openID else { return nil }
        return .closed(run.episode(id: openID, type: type, severity: rule.severity, closed: true))
    }
}
