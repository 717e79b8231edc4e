#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Media times closer than this count as equal, so 10.1 + 3 >= 13.1 holds despite rounding.
let episodeTimeTolerance = 1e-6

/// What a run of frames showing one condition has gathered so far, before and after it opens.
struct EpisodeAccumulator: Sendable, Hashable {
    var start: Double
    var lastSeen: Double
    var framesSeen: Int
    var labels: Set<String>
    var evidence: EvidenceFrame

    init(frame: ObservedFrame, signal: RuleSignal) {
        start = frame.time
        lastSeen = frame.time
        framesSeen = 1
        labels = signal.labels
        evidence = EvidenceFrame(
            sequence: frame.sequence, time: frame.time, confidence: signal.confidence, analysis: frame.analysis)
    }

    var peak: Double { evidence.confidence }

    /// Adds a frame that showed the condition; evidence moves only to a strictly better frame, so
    /// ties keep the earliest and the caller's frame buffer is hit as rarely as possible.
    mutating func add(frame: ObservedFrame, signal: RuleSignal) {
        lastSeen = frame.time
        framesSeen += 1
        labels.formUnion(signal.labels)
        if signal.confidence > evidence.confidence {
            evidence = EvidenceFrame(
                sequence: frame.sequence, time: frame.time, confidence: signal.confidence, analysis: frame.analysis)
        }
    }

    func episode(id: UUID, type: EpisodeType, severity: EpisodeSeverity, closed: Bool) -> Episode {
        Episode(
            id: id, type: type, severity: severity, start: start, lastSeen: lastSeen, end: closed ? lastSeen : nil,
            peakConfidence: peak, framesSeen: framesSeen, labels: labels, evidence: evidence)
    }
}
