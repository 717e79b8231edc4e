import Foundation

/// What ``Outbox/claimPending(owner:limit:closedOnly:lease:now:)`` handed out.
public struct ClaimedBatch: Sendable {
    /// Episodes now held by the caller, in delivery order.
    public var episodes: [StoredEpisode]
    /// Deliverable episodes skipped because another live shipper holds their session.
    public var heldElsewhere: Int
}

/// Exclusive delivery: a shipper claims whole sessions before sending their episodes.
///
/// A claim is the shipper's ``ProcessIdentity`` plus a unique suffix (`claim_owner`) and a lease
/// (`claim_until`), taken in one `BEGIN IMMEDIATE` transaction, so two shippers — the monitor's
/// thread and a `proctor ship`, or two `ship` runs — never hold the same session. Whole sessions are
/// claimed because delivery is ordered per session. A claim counts while its lease runs and its
/// process lives: a killed shipper's claims are free at once, a hung one's when the lease ends.
extension Outbox {
    /// Claims up to `limit` pending episodes of sessions no other live shipper holds.
    public func claimPending(
        owner: String, limit: Int, closedOnly: Bool, lease: TimeInterval, now: Date = Date()
    ) throws(OutboxError) -> ClaimedBatch {
        guard limit > 0 else { return ClaimedBatch(episodes: [], heldElsewhere: 0) }
        let stamp = now.timeIntervalSince1970
        let state = closedOnly ? "AND e.state = 'closed'" : ""
        return try write { db throws(OutboxError) in
            let claims = try db.query(
                """
                SELECT session_id, claim_owner, claim_until FROM episodes
                WHERE delivery_state = 'pending' AND claim_owner IS NOT NULL AND claim_owner <> ?
                """, [.text(owner)]
            ) { row in (session: row.string(0), owner: row.string(1), until: row.double(2)) }
            var held: Set<String> = []
            for claim in claims where claim.until > stamp && Self.claimantIsAlive(claim.owner) {
                held.insert(claim.session)
            }
            let heldList = held.sorted()
            let placeholders = heldList.map { _ in "?" }.joined(separator: ", ")
            let notHeld = heldList.isEmpty ? "" : "AND e.session_id NOT IN (\(placeholders))"
            let chosen = try db.query(
                "\(Self.episodeSelect) WHERE e.delivery_state = 'pending' \(state) \(notHeld) \(Self.episodeOrder) LIMIT ?",
                heldList.map(SQLValue.text) + [.integer(Int64(limit))], Self.episode(from:))
            var skipped = 0
            if !heldList.isEmpty {
                skipped = try db.query(
                    """
                    SELECT count(*) FROM episodes e WHERE e.delivery_state = 'pending' \(state)
                    AND e.session_id IN (\(placeholders))
                    """, heldList.map(SQLValue.text)
                ) { row in row.int(0) }.first ?? 0
            }
            for episode in chosen {
                try db.run(
                    "UPDATE episodes SET claim_owner = ?, claim_until = ? WHERE id = ?",
                    [.text(owner), .real(stamp + lease), .text(Self.key(episode.id))])
            }
            return ClaimedBatch(episodes: chosen, heldElsewhere: skipped)
        }
    }

    /// Records that `revision` is about to be sent and renews the caller's leases. False when the
    /// episode is no longer the caller's to send (claim lost, delivered or failed meanwhile): then
    /// nothing may be sent. A failure to write this means nothing may be sent either.
    public func beginAttempt(
        id: UUID, owner: String, revision: Int, lease: TimeInterval, now: Date = Date()
    ) throws(OutboxError) -> Bool {
        let stamp = now.timeIntervalSince1970
        return try write { db throws(OutboxError) in
            let changed = try db.run(
                """
                UPDATE episodes SET sent_revision = ?, sent_at = ?
                WHERE id = ? AND claim_owner = ? AND delivery_state = 'pending'
                """, [.integer(Int64(revision)), .real(stamp), .text(Self.key(id)), .text(owner)])
            try db.run("UPDATE episodes SET claim_until = ? WHERE claim_owner = ?", [.real(stamp + lease), .text(owner)])
            return changed == 1
        }
    }

    /// Gives back every claim `owner` holds.
    public func releaseClaims(owner: String) throws(OutboxError) {
        try write { db throws(OutboxError) in
            try db.run("UPDATE episodes SET claim_owner = NULL, claim_until = NULL WHERE claim_owner = ?", [.text(owner)])
        }
    }

    /// Closed, pending episodes of sessions that another live shipper holds now.
    public func episodesHeldElsewhere(owner: String, now: Date = Date()) throws(OutboxError) -> Int {
        let stamp = now.timeIntervalSince1970
        return try withDatabase { db throws(OutboxError) in
            let claims = try db.query(
                """
                SELECT claim_owner, claim_until FROM episodes
                WHERE delivery_state = 'pending' AND state = 'closed' AND claim_owner IS NOT NULL AND claim_owner <> ?
                """, [.text(owner)]
            ) { row in (owner: row.string(0), until: row.double(1)) }
            return claims.filter { $0.until > stamp && Self.claimantIsAlive($0.owner) }.count
        }
    }

    /// A claim owner is `<process identity>/<suffix>`; an unparseable owner counts as alive (its lease decides).
    static func claimantIsAlive(_ owner: String) -> Bool {
        guard let identity = ProcessIdentity(token: owner) else { return true }
        return identity.isAlive
    }
}
