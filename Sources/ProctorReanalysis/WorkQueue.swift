import Foundation
import ProctorPostgres

/// The shared work queue in `proctor_reanalysis_queue`: filled from a selection, claimed in leased batches.
///
/// Any number of processes on any number of machines claim from the same queue with
/// `FOR UPDATE SKIP LOCKED`, so no two claim the same rows at once; a claim is a lease, and rows whose
/// lease ran out without being marked done (a crashed or killed worker) are claimed again.
public struct WorkQueue: Sendable {
    public let runKey: String
    public let version: PipelineVersion
    public let selection: Selection

    public init(version: PipelineVersion, selection: Selection) {
        self.version = version
        self.selection = selection
        runKey = selection.runKey(version: version)
    }

    /// Adds the selection's images that have no finding for this version yet; idempotent and safe to
    /// run concurrently. Returns how many rows were added.
    @discardableResult
    public func fill(_ db: PostgresConnection) throws(PostgresError) -> Int {
        let parameters: [String?] = [runKey, version.value] + selection.parameters
        var added = try db.execute(
            """
            INSERT INTO proctor_reanalysis_queue (run_key, source, image_id, pipeline_version)
            SELECT $1, 'cheatingimage', i.id, $2
            FROM proctoring_cheatingimage i LEFT JOIN proctoring_cheatingevent e ON e.id = i.event_id
            WHERE ($3::timestamptz IS NULL OR coalesce(e."timestamp", i."timestamp") >= $3::timestamptz)
              AND ($4::timestamptz IS NULL OR coalesce(e."timestamp", i."timestamp") < $4::timestamptz)
              AND ($5::text IS NULL OR e.event_type = $5::text)
              AND ($6::text IS NULL OR e.student_id IN (SELECT s.id FROM proctoring_student s WHERE s.id::text = $6::text OR s.clerk_id = $6::text))
              AND NOT EXISTS (SELECT 1 FROM proctor_reanalysis r
                              WHERE r.source = 'cheatingimage' AND r.image_id = i.id AND r.pipeline_version = $2)
            ON CONFLICT DO NOTHING
            """, parameters
        ).affected
        if selection.includeStudentPhotos, selection.eventType == nil {
            added += try db.execute(
                """
                INSERT INTO proctor_reanalysis_queue (run_key, source, image_id, pipeline_version)
                SELECT $1, 'student', s.id, $2 FROM proctoring_student s
                WHERE s.photo <> ''
                  AND ($3::timestamptz IS NULL OR s."timestamp" >= $3::timestamptz)
                  AND ($4::timestamptz IS NULL OR s."timestamp" < $4::timestamptz)
                  AND ($5::text IS NULL OR false)
                  AND ($6::text IS NULL OR s.id::text = $6::text OR s.clerk_id = $6::text)
                  AND NOT EXISTS (SELECT 1 FROM proctor_reanalysis r
                                  WHERE r.source = 'student' AND r.image_id = s.id AND r.pipeline_version = $2)
                ON CONFLICT DO NOTHING
                """, parameters
            ).affected
        }
        return added
    }

    /// Rows of this queue not yet done (claimed or not).
    public func remaining(_ db: PostgresConnection) throws(PostgresError) -> Int {
        Int(try db.execute("SELECT count(*) FROM proctor_reanalysis_queue WHERE run_key = $1 AND NOT done", [runKey]).scalar ?? "") ?? 0
    }

    /// Seconds until the earliest live lease of an undone row ends; nil when none is leased.
    public func secondsToNextExpiry(_ db: PostgresConnection) throws(PostgresError) -> Double? {
        let value = try db.execute(
            "SELECT extract(epoch FROM min(lease_until) - now()) FROM proctor_reanalysis_queue WHERE run_key = $1 AND NOT done AND lease_until > now()",
            [runKey]
        ).scalar
        return value.flatMap(Double.init)
    }

    /// Claims up to `limit` open rows (never claimed, or lease expired) for `lease` seconds, with what
    /// the service's tables say about each, in image id order. Commits at once so the lease is visible.
    public func claim(_ db: PostgresConnection, worker: String, limit: Int, lease: Double) throws(PostgresError) -> [StoredImage] {
        let rows = try db.execute(
            """
            WITH open AS (
                SELECT source, image_id FROM proctor_reanalysis_queue
                WHERE run_key = $1 AND NOT done AND (lease_until IS NULL OR lease_until < now())
                ORDER BY image_id LIMIT $3 FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE proctor_reanalysis_queue q SET claimed_by = $2, lease_until = now() + make_interval(secs => $4::double precision)
                FROM open WHERE q.run_key = $1 AND q.source = open.source AND q.image_id = open.image_id
                RETURNING q.source, q.image_id
            )
            SELECT c.source, c.image_id, i.event_id, coalesce(i.image, s.photo), e.event_type,
                   (e.id IS NOT NULL OR c.source = 'student'), e.detected_objects::text, nullif(st.photo, '')
            FROM claimed c
            LEFT JOIN proctoring_cheatingimage i ON c.source = 'cheatingimage' AND i.id = c.image_id
            LEFT JOIN proctoring_cheatingevent e ON e.id = i.event_id
            LEFT JOIN proctoring_student s ON c.source = 'student' AND s.id = c.image_id
            LEFT JOIN proctoring_student st ON st.id = e.student_id
            ORDER BY c.image_id, c.source
            """, [runKey, worker, "\(limit)", "\(lease)"]
        ).rows
        return rows.compactMap { row -> StoredImage? in
            guard row.count == 8, let sourceText = row[0], let source = StoredImage.Source(rawValue: sourceText),
                let id = row[1].flatMap({ Int64($0) })
            else { return nil }
            return StoredImage(
                source: source, imageID: id, eventID: row[2].flatMap { Int64($0) }, relativePath: row[3],
                eventType: source == .studentPhoto ? AgreementPolicy.studentPhoto : row[4], eventExists: row[5] == "t",
                detectedObjects: Self.objects(row[6]), studentPhoto: row[7])
        }
    }

    /// `detected_objects` as text: a JSON array of strings; anything else reads as none.
    static func objects(_ json: String?) -> [String] {
        guard let json, let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else { return [] }
        return parsed.compactMap { $0 as? String }
    }

    /// Gives claimed rows back without results (the media root vanished): others may take them now.
    public func release(_ db: PostgresConnection, _ images: [StoredImage]) throws(PostgresError) {
        guard !images.isEmpty else { return }
        try db.execute(
            """
            UPDATE proctor_reanalysis_queue q SET claimed_by = NULL, lease_until = NULL
            FROM jsonb_to_recordset($2::jsonb) AS k(source text, image_id bigint)
            WHERE q.run_key = $1 AND q.source = k.source AND q.image_id = k.image_id AND NOT q.done
            """, [runKey, Self.keys(images)])
    }

    /// Marks rows done; part of the batch's transaction in ``FindingStore/commit(_:queue:worker:db:)``.
    func markDone(_ db: PostgresConnection, _ images: [StoredImage]) throws(PostgresError) {
        try db.execute(
            """
            UPDATE proctor_reanalysis_queue q SET done = true, lease_until = NULL
            FROM jsonb_to_recordset($2::jsonb) AS k(source text, image_id bigint)
            WHERE q.run_key = $1 AND q.source = k.source AND q.image_id = k.image_id
            """, [runKey, Self.keys(images)])
    }

    static func keys(_ images: [StoredImage]) -> String {
        let objects = images.map { ["source": $0.source.rawValue, "image_id": $0.imageID] as [String: Any] }
        let data = (try? JSONSerialization.data(withJSONObject: objects)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
