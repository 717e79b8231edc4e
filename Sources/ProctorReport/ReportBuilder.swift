import Foundation
import ProctorCore

/// Turns a session and its episodes into a ``SessionReport``: times, credibility, summary, evidence.
public struct ReportBuilder: Sendable {
    public var policy: CredibilityPolicy
    /// Re-encodes evidence for embedding; nil leaves every image out.
    public var shrinker: (any EvidenceShrinker)?
    /// Bytes of JPEG all evidence images may take together, before base64 (which adds a third).
    ///
    /// 10 MB of JPEG is 13.3 MB of base64, leaving room for the markup of 1,000 cards under the
    /// 15 MB a page may weigh.
    public var evidenceBudgetBytes: Int
    /// No single image gets more than this, however few episodes there are.
    public var maxImageBytes: Int
    /// No single full frame gets more than this: a 1,280 px frame at quality 75 is about 100–200 KB.
    public var maxFullFrameBytes: Int = 300_000

    public init(
        policy: CredibilityPolicy = .standard, shrinker: (any EvidenceShrinker)?,
        evidenceBudgetBytes: Int = 10_000_000, maxImageBytes: Int = 120_000
    ) {
        self.policy = policy
        self.shrinker = shrinker
        self.evidenceBudgetBytes = evidenceBudgetBytes
        self.maxImageBytes = maxImageBytes
    }

    /// The report of `input` as of `now` (which ends a session that is still running).
    public func build(_ input: ReportInput, now: Date = Date()) -> SessionReport {
        let session = input.session
        let wallEnd = session.endedAt ?? max(now, session.startedAt)
        // Media and wall time drift apart a little; never let an episode fall off the end of the bar.
        let latestEpisodeTime = input.episodes.map { max($0.start, $0.end ?? $0.start) }.max() ?? 0
        // A finished session lasted as long as the frames it analysed (a replay runs faster than the
        // clock); the wall clock counts only while a session runs or when the media time is unknown.
        let watched =
            session.endedAt != nil && session.mediaEnd != nil
            ? session.mediaEnd ?? 0 : wallEnd.timeIntervalSince(session.startedAt)
        let duration = max(watched, latestEpisodeTime, 0)

        let gaps = Self.merged(
            input.episodes.filter { $0.type == .cameraLost }.map {
                SessionReport.TimeRange(start: max(0, $0.start), end: min(duration, $0.end ?? duration))
            })
        let lostSeconds = gaps.reduce(0) { $0 + max(0, $1.end - $1.start) }
        let monitored = max(0, duration - lostSeconds)
        let faceFraction = session.secondsWithFace.flatMap { seconds in
            monitored > 0 ? min(1, max(0, seconds / monitored)) : nil
        }

        let ordered = input.episodes.sorted {
            ($0.start, Self.rank($0.type), $0.id.uuidString) < ($1.start, Self.rank($1.type), $1.id.uuidString)
        }
        // Episodes at the same moment keep the same frame: it is shrunk, embedded and counted once. The
        // same bytes far apart in time (a frozen camera, a source that reuses one image) stay separate cards.
        var holder: [Data: (id: UUID, start: Double)] = [:]
        var sharesWith: [UUID: UUID] = [:]
        var cards = 0
        for episode in ordered {
            guard let image = episode.evidence else { continue }
            if let first = holder[image], episode.start - first.start <= Self.sameMomentSeconds {
                sharesWith[episode.id] = first.id
            } else {
                holder[image] = (episode.id, episode.start)
                cards += 1
            }
        }
        let share = min(maxImageBytes, evidenceBudgetBytes / max(1, cards))
        var entries = ordered.map { entry(for: $0, reportEnd: duration, imageBytes: share) }
        for index in entries.indices {
            guard let first = sharesWith[entries[index].id] else { continue }
            entries[index].sharesEvidenceWith = first
        }
        addFullFrames(to: &entries, from: ordered)

        let header = SessionReport.Header(
            id: session.id, studentID: session.studentID, examID: session.examID, startedAt: session.startedAt,
            endedAt: session.endedAt, durationSeconds: duration, monitoredSeconds: monitored,
            framesAnalyzed: session.framesAnalyzed, secondsWithFace: session.secondsWithFace,
            faceVisibleFraction: faceFraction, pointEvents: session.pointEvents ? true : nil,
            stoppedUnexpectedlyAt: session.stoppedUnexpectedlyAt, source: session.source, sourceName: session.sourceName,
            whatRan: session.whatRan)
        var credibility = policy.assess(
            entries.map { ($0.type, $0.severity, $0.durationSeconds) }, monitoredSeconds: monitored)
        var notes = session.notes
        if let whatRan = session.whatRan, let degraded = whatRan.degraded, !degraded.isEmpty {
            notes.append(
                "This session ran DEGRADED (--allow-degraded): " + degraded.joined(separator: "; ")
                    + ". What those models would have seen was not checked, so the absence of such episodes proves nothing.")
        }
        if let stopped = session.stoppedUnexpectedlyAt {
            let offset = ReportText.clock(max(0, stopped.timeIntervalSince(session.startedAt)))
            notes.append(
                "The monitor stopped unexpectedly at \(Self.utc(stopped)) (\(offset) into the session): the session "
                    + "ends at its last heartbeat; nothing after it was seen, and episodes still open then end there.")
            // What was not seen cannot vouch for the candidate.
            if credibility.level == .high {
                credibility.level = .medium
            }
            credibility.formula.append(
                "Capped at Medium: the monitor stopped unexpectedly, so part of the exam was not monitored.")
        }
        if session.framesAnalyzed == 0 {
            // A session without one analysed frame has no episodes because nothing was looked at.
            notes.append(
                "No frame of this session was analysed: none of the exam was seen, so the absence of episodes proves nothing.")
            credibility.level = .low
            credibility.formula.append("Set to Low: no frame was analysed, so none of the exam was seen.")
        }
        var report = SessionReport(
            generatedAt: now, session: header, credibility: credibility, summary: Self.summarize(entries), gaps: gaps,
            episodes: entries, notes: notes.isEmpty ? nil : notes)
        if let reference = input.reference, entries.contains(where: { $0.type == .differentPerson }) {
            report.reference = try? shrinker?.shrink(reference, kind: .plain, maxBytes: maxImageBytes)
        }
        return report
    }

    /// Full frames for the click-to-enlarge view, from what the thumbnails left of the byte budget:
    /// high severity first, then by start, each frame once; the rest of the cards say it was left out.
    private func addFullFrames(to entries: inout [SessionReport.Entry], from episodes: [ReportEpisodeInput]) {
        guard let full = shrinker?.fullFrameShrinker else { return }
        let thumbnails = Set(entries.compactMap { $0.sharesEvidenceWith == nil ? $0.evidence?.dataURI : nil })
        var remaining = evidenceBudgetBytes - thumbnails.reduce(0) { $0 + Self.jpegBytes($1) }
        let frames = Dictionary(episodes.compactMap { e in e.fullFrame.map { (e.id, $0) } }, uniquingKeysWith: { a, _ in a })
        let order = entries.indices.filter { entries[$0].sharesEvidenceWith == nil && frames[entries[$0].id] != nil }
            .sorted { (Self.severityRank(entries[$0].severity), entries[$0].start) < (Self.severityRank(entries[$1].severity), entries[$1].start) }
        for index in order {
            guard remaining > Self.smallestFullFrame, let frame = frames[entries[index].id] else { break }
            guard let shrunk = try? full.shrink(frame, kind: .plain, maxBytes: min(maxFullFrameBytes, remaining)),
                Self.jpegBytes(shrunk.dataURI) <= remaining
            else { continue }
            remaining -= Self.jpegBytes(shrunk.dataURI)
            entries[index].fullFrame = shrunk
        }
    }

    /// Episodes whose starts are this close, with the same evidence frame, are one moment: the rules'
    /// opening delays (1–4 s by default) put the episodes one event causes a few seconds apart.
    static let sameMomentSeconds = 10.0

    /// A full frame smaller than this is no better than the thumbnail.
    private static let smallestFullFrame = 30_000

    private static func severityRank(_ severity: EpisodeSeverity) -> Int {
        switch severity {
        case .high: 0
        case .medium: 1
        case .low: 2
        }
    }

    /// Bytes of JPEG behind a base64 data URI.
    private static func jpegBytes(_ dataURI: String) -> Int {
        let payload = dataURI.utf8.count - (dataURI.firstIndex(of: ",").map { dataURI.utf8.distance(from: dataURI.startIndex, to: $0) + 1 } ?? 0)
        return payload / 4 * 3
    }

    /// `2026-05-01 09:30:00 UTC`.
    private static func utc(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    private func entry(for episode: ReportEpisodeInput, reportEnd: Double, imageBytes: Int) -> SessionReport.Entry {
        let end = max(episode.start, episode.end ?? reportEnd)
        var evidence: SessionReport.Evidence?
        var note: String?
        if let image = episode.evidence {
            if let shrinker {
                do {
                    evidence = try shrinker.shrink(image, kind: episode.evidenceKind, maxBytes: imageBytes)
                } catch {
                    note = "The evidence image could not be decoded."
                }
            } else {
                note = "Evidence images were left out of this report."
            }
        } else if let sourceNote = episode.evidenceNote {
            note = sourceNote
        } else if episode.type == .cameraLost {
            note = "No frame: the camera delivered nothing during this episode."
        } else if episode.evidencePurgedAt != nil {
            note = "The evidence image was deleted by the retention policy."
        } else {
            note = "No evidence frame was kept for this episode."
        }
        return SessionReport.Entry(
            id: episode.id, type: episode.type, eventType: episode.eventType, severity: episode.severity,
            start: episode.start, end: end, isOpen: episode.end == nil, durationSeconds: end - episode.start,
            confidence: episode.peakConfidence, framesSeen: episode.framesSeen, labels: episode.labels.sorted(),
            evidence: evidence, evidenceNote: note)
    }

    private static func rank(_ type: EpisodeType) -> Int { ReportText.typeOrder.firstIndex(of: type) ?? Int.max }

    /// Per-type counts and durations, in ``ReportText/typeOrder``, for the types that occurred.
    static func summarize(_ entries: [SessionReport.Entry]) -> [SessionReport.TypeSummary] {
        ReportText.typeOrder.compactMap { type in
            let ofType = entries.filter { $0.type == type }
            guard !ofType.isEmpty else { return nil }
            return SessionReport.TypeSummary(
                type: type, count: ofType.count, high: ofType.filter { $0.severity == .high }.count,
                medium: ofType.filter { $0.severity == .medium }.count, low: ofType.filter { $0.severity == .low }.count,
                totalSeconds: ofType.reduce(0) { $0 + $1.durationSeconds },
                longestSeconds: ofType.map(\.durationSeconds).max() ?? 0)
        }
    }

    /// Overlapping or touching ranges joined, by start.
    static func merged(_ ranges: [SessionReport.TimeRange]) -> [SessionReport.TimeRange] {
        var result: [SessionReport.TimeRange] = []
        for range in ranges.sorted(by: { $0.start < $1.start }) where range.end >= range.start {
            if let last = result.last, range.start <= last.end {
                result[result.count - 1].end = max(last.end, range.end)
            } else {
                result.append(range)
            }
        }
        return result
    }
}
