#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs the ``CameraLostRule``: open on loss, close once frames have flowed long enough after the restore.
struct CameraLossTracker: Sendable {
    let rule: CameraLostRule

    private var episode: Episode?
    /// When frames came back; nil while the camera is gone.
    private var restoredAt: Double?

    init(rule: CameraLostRule) { self.rule = rule }

    var current: Episode? { episode }

    /// Whether the camera is gone right now (lost and not yet restored).
    var isLost: Bool { episode != nil && restoredAt == nil }

    mutating func lost(at time: Double, makeID: () -> UUID) -> EpisodeChange? {
        if episode != nil {
            // Lost again before the recovery was confirmed: the same outage continues.
            restoredAt = nil
            return nil
        }
        let opened = Episode(
            id: makeID(), type: .cameraLost, severity: rule.severity, start: time, lastSeen: time,
            peakConfidence: 1, framesSeen: 0)
        episode = opened
        return .opened(opened)
    }

    mutating func restored(at time: Double) -> EpisodeChange? {
        guard episode != nil, restoredAt == nil else { return nil }
        restoredAt = time
        return closeIfDue(at: time)
    }

    /// A frame arrived: capture is evidently delivering again, even if it never said so.
    mutating func frameArrived(at time: Double) -> EpisodeChange? {
        guard episode != nil else { return nil }
        if restoredAt == nil { restoredAt = time }
        return closeIfDue(at: time)
    }

    /// Closes the episode at the restore time, or at `time` if the camera is still gone.
    mutating func stop(at time: Double) -> EpisodeChange? {
        defer {
            episode = nil
            restoredAt = nil
        }
        guard var closing = episode else { return nil }
        let end = restoredAt ?? time
        closing.lastSeen = end
        closing.end = end
        return .closed(closing)
    }

    private mutating func closeIfDue(at time: Double) -> EpisodeChange? {
        guard let restoredAt, time - restoredAt >= rule.closeAfter - episodeTimeTolerance else { return nil }
        return stop(at: restoredAt)
    }
}
