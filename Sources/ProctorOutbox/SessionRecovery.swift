import Foundation

/// A session whose monitor died, as ``Outbox/recoverAbandonedSessions(now:legacyIdleSeconds:)`` closed it.
public struct RecoveredSession: Sendable, Hashable {
    public var sessionID: String
    /// The last heartbeat (or the last write, for sessions without one): where the session now ends.
    public var stoppedAt: Date
    /// Episodes that were still open and were closed at that point.
    public var closedEpisodes: Int
}

/// Heartbeats and the recovery of sessions whose monitor died (SIGKILL, crash, power loss).
///
/// The monitor records its process identity with the session and a heartbeat (last frame's media
/// time, wall time, running totals) as it runs. Any later `proctor monitor` or `proctor ship` closes
/// sessions whose owner is gone at their last heartbeat: open episodes end there, the session is
/// marked `ended_abnormally`, and everything becomes deliverable. Nothing the dead process did not
/// see is invented: the session ends at the last frame it analysed.
extension Outbox {
    /// Records that the session's monitor is alive and has analysed up to `media` seconds.
    public func heartbeat(
        sessionID: String, media: Double, framesAnalyzed: Int, secondsWithFace: Double, at now: Date = Date()
    ) throws(OutboxError) {
        guard media.isFinite, secondsWithFace.isFinite, framesAnalyzed >= 0 else {
            throw .invalidArgument("heartbeat values must be finite and >= 0")
        }
        try write { db throws(OutboxError) in
            try db.run(
                """
                UPDATE sessions SET heartbeat_media = ?, heartbeat_at = ?, frames_analyzed = ?, seconds_with_face = ?
                WHERE id = ? AND ended_at IS NULL
                """,
                [.real(media), .real(now.timeIntervalSince1970), .integer(Int64(framesAnalyzed)), .real(secondsWithFace),
                 .text(sessionID)])
        }
    }

    /// Closes every open session whose monitor is gone, at its last heartbeat.
    ///
    /// Sessions written before owners were recorded (no `owner`) count as abandoned once nothing
    /// was written to them for `legacyIdleSeconds`.
    @discardableResult
    public func recoverAbandonedSessions(now: Date = Date(), legacyIdleSeconds: Double = 600) throws(OutboxError)
        -> [RecoveredSession]
    {
        let stamp = now.timeIntervalSince1970
        return try write { db throws(OutboxError) in
            let open = try db.query(
                """
                SELECT s.id, s.owner, s.started_at, s.heartbeat_media, s.heartbeat_at,
                    max(s.updated_at, coalesce((SELECT max(e.updated_at) FROM episodes e WHERE e.session_id = s.id), 0)),
                    (SELECT max(max(e.start_media, coalesce(e.end_media, e.start_media))) FROM episodes e
                        WHERE e.session_id = s.id)
                FROM sessions s WHERE s.ended_at IS NULL ORDER BY s.started_at
                """
            ) { row in
                (id: row.string(0), owner: row.optionalString(1), started: row.double(2),
                 heartbeatMedia: row.optionalDouble(3), heartbeatAt: row.optionalDouble(4), lastWrite: row.double(5),
                 latestEpisodeMedia: row.optionalDouble(6))
            }
            var recovered: [RecoveredSession] = []
            for session in open {
                let abandoned: Bool
                if let owner = session.owner, let identity = ProcessIdentity(token: owner) {
                    abandoned = !identity.isAlive
                } else {
                    abandoned = stamp - session.lastWrite > legacyIdleSeconds
                }
                guard abandoned else { continue }
                // The last frame analysed; without a heartbeat, the latest point an episode reached.
                let media = session.heartbeatMedia ?? session.latestEpisodeMedia ?? 0
                let stoppedAt = session.heartbeatAt ?? (session.started + media)
                let closed = try db.run(
                    """
                    UPDATE episodes SET state = 'closed', end_media = max(start_media, ?),
                        ended_at = ? + max(start_media, ?), revision = revision + 1, updated_at = ?,
                        delivery_state = CASE delivery_state WHEN 'failed' THEN 'failed' ELSE 'pending' END
                    WHERE session_id = ? AND state = 'open'
                    """, [.real(media), .real(session.started), .real(media), .real(stamp), .text(session.id)])
                try db.run(
                    "UPDATE sessions SET ended_at = ?, ended_abnormally = 1, updated_at = ? WHERE id = ?",
                    [.real(stoppedAt), .real(stamp), .text(session.id)])
                recovered.append(
                    RecoveredSession(
                        sessionID: session.id, stoppedAt: Date(timeIntervalSince1970: stoppedAt), closedEpisodes: closed))
            }
            return recovered
        }
    }

    /// Episodes still open in sessions whose monitor is running (not deliverable yet).
    public func openEpisodeCount() throws(OutboxError) -> Int {
        try withDatabase { db throws(OutboxError) in
            try db.query("SELECT count(*) FROM episodes WHERE state = 'open' AND delivery_state = 'pending'") { row in
                row.int(0)
            }.first ?? 0
        }
    }
}
