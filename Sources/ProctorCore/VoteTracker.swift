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

    mutating func step(frame: ObservedFrame, signal: RuleSignal, makeID: () -> UUID) -> EpisodeChange? {
        recent.append(Vote(frame: frame, signal: signal))
        let keep = max(rule.openWindow, rule.closeWindow)
        if recent.count > keep { recent.removeFirst(recent.count - keep) }

        if let openID, var accumulated = run {
            if signal.holds {
                accumulated.add(frame: frame, signal: signal)
                run = accumulated
                guard accumulated.peak > reportedPeak, accumulated.peak - reportedPeak >= minEvidenceGain else {
                    return nil
                }
                reportedPeak = accumulated.peak
                return .updated(accumulated.episode(id: openID, type: type, severity: rule.severity, closed: false))
            }
            let absent = recent.suffix(rule.closeWindow).filter { !$0.signal.holds }.count
            return absent >= rule.closeCount ? stop() : nil
        }

        let holding = recent.suffix(rule.openWindow).filter(\.signal.holds)
        guard holding.count >= rule.openCount, let first = holding.first else { return nil }
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
