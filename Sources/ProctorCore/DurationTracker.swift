#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs one ``DurationRule``: a pending run, then an open episode, then the closing countdown.
struct DurationTracker: Sendable {
    let type: EpisodeType
    let rule: DurationRule
    let minEvidenceGain: Double

    private var run: EpisodeAccumulator?
    /// Set once the run has lasted `openAfter` and became an episode.
    private var openID: UUID?
    private var severity: EpisodeSeverity
    /// The peak confidence last handed to the caller, to throttle `updated` changes.
    private var reportedPeak = 0.0
    /// The first observation without the condition since it last held, while open.
    private var absentSince: Double?

    init(type: EpisodeType, rule: DurationRule, minEvidenceGain: Double) {
        self.type = type
        self.rule = rule
        self.minEvidenceGain = minEvidenceGain
        severity = rule.severity
    }

    /// The open episode, if any.
    var current: Episode? {
        guard let run, let openID else { return nil }
        return run.episode(id: openID, type: type, severity: severity, closed: false)
    }

    mutating func step(frame: ObservedFrame, signal: RuleSignal, makeID: () -> UUID) -> EpisodeChange? {
        guard signal.holds else { return stepAbsent(time: frame.time) }
        absentSince = nil
        var accumulated = run ?? EpisodeAccumulator(frame: frame, signal: signal)
        if run != nil { accumulated.add(frame: frame, signal: signal) }
        run = accumulated

        if let openID {
            let escalated = escalateIfDue(at: frame.time, start: accumulated.start)
            let gained = accumulated.peak > reportedPeak && accumulated.peak - reportedPeak >= minEvidenceGain
            guard escalated || gained else { return nil }
            reportedPeak = accumulated.peak
            return .updated(accumulated.episode(id: openID, type: type, severity: severity, closed: false))
        }
        guard frame.time - accumulated.start >= rule.openAfter - episodeTimeTolerance else { return nil }
        let id = makeID()
        openID = id
        severity = rule.severity
        // Sparse frames can cross the escalation time before the episode even opens.
        _ = escalateIfDue(at: frame.time, start: accumulated.start)
        reportedPeak = accumulated.peak
        return .opened(accumulated.episode(id: id, type: type, severity: severity, closed: false))
    }

    /// Closes an open episode at the last time its condition held and forgets any pending run.
    mutating func stop() -> EpisodeChange? {
        defer {
            run = nil
            openID = nil
            absentSince = nil
            severity = rule.severity
            reportedPeak = 0
        }
        guard let run, let openID else { return nil }
        return .closed(run.episode(id: openID, type: type, severity: severity, closed: true))
    }

    private mutating func stepAbsent(time: Double) -> EpisodeChange? {
        guard run != nil else { return nil }
        guard openID != nil else {
            // The condition did not last long enough: a pending run needs every observation.
            run = nil
            return nil
        }
        let since = absentSince ?? time
        absentSince = since
        guard time - since >= rule.closeAfter - episodeTimeTolerance else { return nil }
        return stop()
    }

    private mutating func escalateIfDue(at time: Double, start: Double) -> Bool {
        guard let escalation = rule.escalation, severity < escalation.severity,
            time - start >= escalation.after - episodeTimeTolerance
        else { return false }
        severity = escalation.severity
        return true
    }
}
