import Foundation
import ProctorPostgres

/// Writes a batch's findings and closes its queue rows in one transaction.
public enum FindingStore {
    /// Inserts `findings` (an image that already has one for this version keeps it) and marks `done`
    /// done; returns how many findings were new.
    @discardableResult
    public static func commit(
        _ findings: [Finding], done: [StoredImage], queue: WorkQueue, worker: String, db: PostgresConnection
    ) throws(PostgresError) -> Int {
        let rows = findings.map { $0.row() }
        let json = (try? JSONSerialization.data(withJSONObject: rows)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return try db.transaction { () throws(PostgresError) -> Int in
            let inserted = try db.execute(
                """
                INSERT INTO proctor_reanalysis
                    (source, image_id, event_id, pipeline_version, event_type, image, findings, verdicts, agrees, outcome, problem, analyzed_by,
                     identity_similarity, identity_match)
                SELECT r.source, r.image_id, r.event_id, $2, r.event_type, r.image, r.findings, r.verdicts, r.agrees, r.outcome, r.problem, $3,
                       r.identity_similarity, r.identity_match
                FROM jsonb_to_recordset($1::jsonb) AS r(
                    source text, image_id bigint, event_id bigint, event_type text, image text, findings jsonb, verdicts text[],
                    agrees boolean, outcome text, problem text, identity_similarity double precision, identity_match boolean)
                ON CONFLICT (source, image_id, pipeline_version) DO NOTHING
                """, [json, queue.version.value, worker]
            ).affected
            try queue.markDone(db, done)
            return inserted
        }
    }
}
