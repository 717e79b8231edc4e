import Foundation
import ProctorOutbox

/// Reads a session, its episodes and their evidence from the local outbox.
public struct OutboxReportSource: ReportSource {
    public let outbox: Outbox

    public init(outbox: Outbox) { self.outbox = outbox }

    public func load(sessionID: String?) throws(ReportError) -> ReportInput {
        do {
            let session: SessionRecord
            if let sessionID {
                guard let found = try outbox.session(id: sessionID) else {
                    throw ReportError.sessionNotFound("no session \(sessionID) in \(outbox.path)")
                }
                session = found
            } else {
                // Sessions come oldest first; "latest" is the last one started.
                guard let latest = try outbox.sessions().last else {
                    throw ReportError.sessionNotFound("no sessions in \(outbox.path)")
                }
                session = latest
            }
            var episodes: [ReportEpisodeInput] = []
            for stored in try outbox.episodes(sessionID: session.id) {
                let images = stored.hasEvidence ? try outbox.evidence(episodeID: stored.id) : nil
                // The thumbnail carries the detector's boxes; the full frame is only a fallback.
                let evidence = images?.thumbnail ?? images?.jpeg
                let record = stored.record
                episodes.append(
                    ReportEpisodeInput(
                        id: record.id, type: record.type, eventType: record.eventType, severity: record.severity,
                        start: record.startMedia, end: record.endMedia, peakConfidence: record.peakConfidence,
                        framesSeen: record.framesSeen, labels: record.labels, evidence: evidence,
                        evidenceKind: images?.thumbnail == nil ? .plain : .annotated,
                        evidencePurgedAt: stored.evidencePurgedAt, fullFrame: images?.jpeg))
            }
            // A session whose monitor died ends at its last heartbeat, whether or not a later run has
            // closed it yet: the time after that was never seen.
            var endedAt = session.endedAt
            var stopped: Date?
            if session.endedAbnormally {
                stopped = session.endedAt
            } else if session.ownerIsGone {
                let lastSeen = session.heartbeatAt ?? session.startedAt.addingTimeInterval(session.heartbeatMedia ?? 0)
                endedAt = lastSeen
                stopped = lastSeen
                let media = session.heartbeatMedia ?? 0
                for index in episodes.indices where episodes[index].end == nil {
                    episodes[index].end = max(episodes[index].start, media)
                }
            }
            var reportSession = ReportSession(
                id: session.id, studentID: session.studentID, examID: session.examID, startedAt: session.startedAt,
                endedAt: endedAt, framesAnalyzed: session.framesAnalyzed,
                secondsWithFace: session.secondsWithFace, stoppedUnexpectedlyAt: stopped,
                whatRan: WhatRan.parse(configJSON: session.configJSON))
            // The last heartbeat holds the last analysed frame's media time (the monitor writes one as it finishes).
            if endedAt != nil { reportSession.mediaEnd = session.heartbeatMedia }
            let recorded = SessionSourceRecord(configJSON: session.configJSON)
            reportSession.source = recorded?.kind
            reportSession.sourceName = recorded?.name
            return ReportInput(session: reportSession, episodes: episodes)
        } catch let error as ReportError {
            throw error
        } catch {
            throw .source("outbox \(outbox.path): \(error)")
        }
    }
}

/// The `source` object the monitor keeps in a session's configuration: `{"kind": "camera"|"replay", "name": ...}`.
/// Sessions written before it was recorded have none, and the page then says nothing about the source.
struct SessionSourceRecord {
    var kind: MonitoredSource
    var name: String?

    init?(configJSON: String?) {
        guard let configJSON, configJSON.utf8.count <= 1_000_000,
            let object = (try? JSONSerialization.jsonObject(with: Data(configJSON.utf8))) as? [String: Any],
            let source = object["source"] as? [String: Any],
            let kind = (source["kind"] as? String).flatMap(MonitoredSource.init(rawValue:))
        else { return nil }
        self.kind = kind
        self.name = (source["name"] as? String).map { String($0.prefix(500)) }
    }
}
