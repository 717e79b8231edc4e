import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ProctorCore
import Synchronization

/// The durable local store of sessions, episodes and their evidence, written before any delivery.
///
/// Durability: SQLite in WAL mode with `synchronous=FULL`, so every commit is fsynced to the WAL
/// before the call returns: an accepted episode survives a process kill *and* a power cut. NORMAL
/// would only survive the former, and the write rate (a few commits per episode) makes the extra
/// fsync irrelevant. Evidence JPEGs are BLOBs in the same transaction as their episode row, so an
/// episode can never be committed without its evidence or the other way round, and there is one
/// file (plus `-wal`/`-shm`) to protect; all are created mode 0600. `secure_delete` zeroes purged
/// evidence instead of leaving it in free pages.
///
/// Thread-safe: one connection behind a mutex, so calls from any thread are serialized. Several
/// processes may open the same file; `busy_timeout` makes them wait for each other's writes.
public final class Outbox: Sendable {
    /// How long delivered evidence is kept by default: 30 days.
    public static let defaultRetention: TimeInterval = 30 * 24 * 60 * 60
    /// The `PRAGMA user_version` this program writes.
    public static var schemaVersion: Int { OutboxSchema.latestVersion }
    /// Milliseconds a call waits for another process's write lock before failing.
    public static let busyTimeoutMilliseconds = 5_000

    public let path: String
    private let connection: Mutex<SQLiteConnection?>

    /// How an outbox is opened.
    public enum Access: Sendable {
        /// Created when missing, migrated, written: the monitor and the shipper.
        case readWrite
        /// Listing (`episodes`, `report`, `doctor`): nothing is created or changed, and a read-only
        /// file or directory is fine. An outbox of an older schema is upgraded first when writable.
        case readOnly
    }

    /// Opens or creates the outbox at `path`, creating its directory (0700) if needed and migrating
    /// the schema; with `.readOnly`, opens an existing outbox for reading only.
    ///
    /// A file that is not an outbox (no SQLite header, another program's database) or whose side files
    /// are symlinks is refused with ``OutboxError/notAnOutbox(path:reason:)`` before anything in it changes.
    public convenience init(path: String, access: Access = .readWrite) throws(OutboxError) {
        switch access {
        case .readWrite:
            try self.init(writablePath: path)
        case .readOnly:
            try OwnerOnlyFiles.checkExisting(at: path)
            var connection = try SQLiteConnection(path: path, mode: .readOnly)
            // Before the first read: a monitor writing at the same moment must make this wait, not fail.
            try connection.execute("PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds)")
            let found: Int
            do {
                found = try Self.identify(connection, path: path)
            } catch .sqlite(_, let code, _) where code & 0xFF == 14 || code & 0xFF == 8 {
                // SQLITE_CANTOPEN / SQLITE_READONLY: a WAL file whose -shm cannot be created here.
                connection = try SQLiteConnection(path: path, mode: .immutable)
                found = try Self.identify(connection, path: path)
            }
            if found < OutboxSchema.latestVersion {
                guard Glibc.access(path, W_OK) == 0 else {
                    throw .schemaTooOld(found: found, supported: OutboxSchema.latestVersion)
                }
                connection.close()
                try self.init(writablePath: path)  // upgrades it, as a monitor or ship would
                return
            }
            guard found == OutboxSchema.latestVersion else {
                throw .schemaTooNew(found: found, supported: OutboxSchema.latestVersion)
            }
            try connection.execute("PRAGMA query_only = ON")
            self.init(path: path, connection: connection)
        }
    }

    private init(path: String, connection: sending SQLiteConnection) {
        self.path = path
        self.connection = Mutex(connection)
    }

    /// The schema version of an outbox; throws when the database is someone else's (tables, but not
    /// ours). Only reads.
    private static func identify(_ connection: SQLiteConnection, path: String) throws(OutboxError) -> Int {
        let version = try OutboxSchema.userVersion(connection)
        if version == 0 {
            let tables = try connection.query("SELECT count(*) FROM sqlite_master") { row in row.int(0) }.first ?? 0
            if tables > 0 { throw .notAnOutbox(path: path, reason: "an SQLite database of another program") }
        }
        return version
    }

    private init(writablePath path: String) throws(OutboxError) {
        try OwnerOnlyFiles.prepareDatabase(at: path)
        let connection = try SQLiteConnection(path: path)
        // Before the first read: another process writing at the same moment must make this wait, not fail.
        try connection.execute("PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds)")
        _ = try Self.identify(connection, path: path)
        try OwnerOnlyFiles.restrict(path)
        // Only takes effect on a new, empty file; lets retention give space back incrementally.
        try connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
        let mode = try connection.query("PRAGMA journal_mode = WAL") { row in row.string(0) }.first
        guard mode?.lowercased() == "wal" else {
            throw .cannotOpen(path: path, reason: "cannot enable WAL journaling (got \(mode ?? "nothing"))")
        }
        try connection.execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON")
        try OutboxSchema.migrate(connection)
        OwnerOnlyFiles.tightenCompanions(of: path)
        self.path = path
        self.connection = Mutex(connection)
    }

    /// Closes the database; later calls throw ``OutboxError/closed``. Closing twice is harmless.
    public func close() {
        connection.withLock { held in
            held?.close()
            held = nil
        }
    }

    // MARK: Sessions

    /// Records a new session. Calling it again for an open session with the same student and exam
    /// changes nothing, so a restarted monitor can call it unconditionally.
    public func openSession(
        id: String, studentID: String, examID: String, startedAt: Date, configJSON: String? = nil,
        owner: ProcessIdentity? = nil, now: Date = Date()
    ) throws(OutboxError) {
        guard !id.isEmpty else { throw .invalidArgument("session id is empty") }
        guard startedAt.timeIntervalSince1970.isFinite else { throw .invalidArgument("session start is not finite") }
        try write { db throws(OutboxError) in
            let existing = try db.query(
                "SELECT student_id, exam_id, ended_at FROM sessions WHERE id = ?", [.text(id)]
            ) { row in (student: row.string(0), exam: row.string(1), ended: !row.isNull(2)) }.first
            if let existing {
                guard !existing.ended else { throw .sessionAlreadyClosed(id) }
                guard existing.student == studentID, existing.exam == examID else {
                    throw .conflict("session \(id) exists for student \(existing.student), exam \(existing.exam)")
                }
                if let owner {
                    try db.run("UPDATE sessions SET owner = ? WHERE id = ?", [.text(owner.description), .text(id)])
                }
                return
            }
            try db.run(
                """
                INSERT INTO sessions (id, student_id, exam_id, started_at, config_json, updated_at, owner)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(id), .text(studentID), .text(examID), .real(startedAt.timeIntervalSince1970),
                 configJSON.map(SQLValue.text) ?? .null, .real(now.timeIntervalSince1970),
                 owner.map { .text($0.description) } ?? .null])
        }
    }

    /// Records a session's end and its summary; closing again overwrites the summary.
    public func closeSession(
        id: String, endedAt: Date, framesAnalyzed: Int, secondsWithFace: Double, now: Date = Date()
    ) throws(OutboxError) {
        guard framesAnalyzed >= 0, secondsWithFace.isFinite, secondsWithFace >= 0 else {
            throw .invalidArgument("frames analysed and seconds with face must be >= 0")
        }
        try write { db throws(OutboxError) in
            let changed = try db.run(
                """
                UPDATE sessions SET ended_at = ?, frames_analyzed = ?, seconds_with_face = ?, updated_at = ?
                WHERE id = ?
                """,
                [.real(endedAt.timeIntervalSince1970), .integer(Int64(framesAnalyzed)), .real(secondsWithFace),
                 .real(now.timeIntervalSince1970), .text(id)])
            guard changed == 1 else { throw .sessionNotFound(id) }
        }
    }

    /// All sessions, oldest first.
    public func sessions() throws(OutboxError) -> [SessionRecord] {
        try withDatabase { db throws(OutboxError) in
            try db.query("SELECT \(Self.sessionColumns) FROM sessions ORDER BY started_at, id") { row in
                Self.session(from: row)
            }
        }
    }

    /// One session, or nil if it was never opened.
    public func session(id: String) throws(OutboxError) -> SessionRecord? {
        try withDatabase { db throws(OutboxError) in
            try db.query("SELECT \(Self.sessionColumns) FROM sessions WHERE id = ?", [.text(id)]) { row in
                Self.session(from: row)
            }.first
        }
    }

    // MARK: Episodes

    /// Inserts or updates an episode, with its evidence, in one transaction.
    ///
    /// Wall-clock times are the session's start plus the media times. Every call is a new revision
    /// and puts a delivered episode back to `pending` (a permanently `failed` one stays failed).
    /// Nil evidence keeps what is stored, so an update without a better frame cannot erase it.
    @discardableResult
    public func upsertEpisode(
        sessionID: String, episode: EpisodeRecord, evidenceJPEG: Data? = nil, thumbnailJPEG: Data? = nil,
        now: Date = Date()
    ) throws(OutboxError) -> StoredEpisode {
        try Self.validate(episode)
        let labels = try Self.encodeLabels(episode.labels)
        let id = Self.key(episode.id)
        let stamp = now.timeIntervalSince1970
        return try write { db throws(OutboxError) in
            guard
                let sessionStart = try db.query(
                    "SELECT started_at FROM sessions WHERE id = ?", [.text(sessionID)], { row in row.double(0) }
                ).first
            else { throw .sessionNotFound(sessionID) }
            let owner = try db.query("SELECT session_id FROM episodes WHERE id = ?", [.text(id)]) { row in
                row.string(0)
            }.first
            let fields: [SQLValue] = [
                .text(episode.type.rawValue), .text(episode.eventType), .text(episode.severity.rawValue),
                .real(episode.startMedia), episode.endMedia.map(SQLValue.real) ?? .null,
                .real(sessionStart + episode.startMedia), episode.endMedia.map { .real(sessionStart + $0) } ?? .null,
                .real(episode.peakConfidence), .integer(Int64(episode.framesSeen)), .text(labels),
                .text(episode.state.rawValue), .real(stamp),
            ]
            if let owner {
                guard owner == sessionID else {
                    throw .conflict("episode \(id) belongs to session \(owner), not \(sessionID)")
                }
                try db.run(
                    """
                    UPDATE episodes SET type = ?, event_type = ?, severity = ?, start_media = ?, end_media = ?,
                        started_at = ?, ended_at = ?, peak_confidence = ?, frames_seen = ?, labels_json = ?,
                        state = ?, updated_at = ?, revision = revision + 1,
                        delivery_state = CASE delivery_state WHEN 'failed' THEN 'failed' ELSE 'pending' END
                    WHERE id = ?
                    """, fields + [.text(id)])
            } else {
                try db.run(
                    """
                    INSERT INTO episodes (type, event_type, severity, start_media, end_media, started_at, ended_at,
                        peak_confidence, frames_seen, labels_json, state, updated_at, id, session_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, fields + [.text(id), .text(sessionID)])
            }
            if evidenceJPEG != nil || thumbnailJPEG != nil {
                try db.run(
                    """
                    INSERT INTO evidence (episode_id, jpeg, thumbnail, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (episode_id) DO UPDATE SET jpeg = coalesce(excluded.jpeg, evidence.jpeg),
                        thumbnail = coalesce(excluded.thumbnail, evidence.thumbnail), updated_at = excluded.updated_at
                    """,
                    [.text(id), evidenceJPEG.map(SQLValue.blob) ?? .null, thumbnailJPEG.map(SQLValue.blob) ?? .null,
                     .real(stamp)])
                try db.run("UPDATE episodes SET evidence_purged_at = NULL WHERE id = ?", [.text(id)])
            }
            guard let stored = try Self.fetchEpisode(db, id: id) else { throw .episodeNotFound(episode.id) }
            return stored
        }
    }

    /// Episodes of one session, or of all sessions, ordered by session start then episode start.
    public func episodes(sessionID: String? = nil) throws(OutboxError) -> [StoredEpisode] {
        try withDatabase { db throws(OutboxError) in
            if let sessionID {
                return try db.query(
                    "\(Self.episodeSelect) WHERE e.session_id = ? \(Self.episodeOrder)", [.text(sessionID)],
                    Self.episode(from:))
            }
            return try db.query("\(Self.episodeSelect) \(Self.episodeOrder)", [], Self.episode(from:))
        }
    }

    /// One episode, or nil if it was never stored.
    public func episode(id: UUID) throws(OutboxError) -> StoredEpisode? {
        try withDatabase { db throws(OutboxError) in try Self.fetchEpisode(db, id: Self.key(id)) }
    }

    /// The stored evidence images; nil when there are none (never given, or purged by retention).
    public func evidence(episodeID: UUID) throws(OutboxError) -> EpisodeEvidence? {
        try withDatabase { db throws(OutboxError) in
            try db.query(
                "SELECT jpeg, thumbnail FROM evidence WHERE episode_id = ?", [.text(Self.key(episodeID))]
            ) { row in EpisodeEvidence(jpeg: row.optionalBlob(0), thumbnail: row.optionalBlob(1)) }.first
        }
    }

    // MARK: Delivery

    /// Up to `limit` episodes still to deliver, ordered by session start then episode start;
    /// `closedOnly` skips episodes the engine still has open.
    public func pendingEpisodes(limit: Int, closedOnly: Bool = false) throws(OutboxError) -> [StoredEpisode] {
        guard limit > 0 else { return [] }
        let state = closedOnly ? "AND e.state = 'closed'" : ""
        return try withDatabase { db throws(OutboxError) in
            try db.query(
                "\(Self.episodeSelect) WHERE e.delivery_state = 'pending' \(state) \(Self.episodeOrder) LIMIT ?",
                [.integer(Int64(limit))], Self.episode(from:))
        }
    }

    /// Records a successful delivery of `revision` (default: the current one). If the episode changed
    /// since that revision was read, it stays `pending` so the newer revision is delivered too.
    public func markDelivered(
        id: UUID, sink: String, remoteID: String? = nil, revision: Int? = nil, now: Date = Date()
    ) throws(OutboxError) {
        let delivered: SQLValue = revision.map { .integer(Int64($0)) } ?? .null
        try write { db throws(OutboxError) in
            let changed = try db.run(
                """
                UPDATE episodes SET delivery_attempts = delivery_attempts + 1, last_attempt_at = ?, last_error = NULL,
                    delivered_sink = ?, remote_id = coalesce(?, remote_id),
                    delivered_revision = coalesce(?, revision),
                    delivery_state = CASE WHEN revision <= coalesce(?, revision) THEN 'delivered' ELSE 'pending' END,
                    updated_at = ?
                WHERE id = ?
                """,
                [.real(now.timeIntervalSince1970), .text(sink), remoteID.map(SQLValue.text) ?? .null, delivered,
                 delivered, .real(now.timeIntervalSince1970), .text(Self.key(id))])
            guard changed == 1 else { throw .episodeNotFound(id) }
        }
    }

    /// Records a failed attempt. A permanent failure (the sink rejected the episode) makes it
    /// `failed`; a transient one keeps it `pending` for a retry.
    /// - Parameter serviceDidNotRecord: the sink knows the attempt left nothing at the service (it was
    ///   refused or never reached it): the attempt's sent mark is cleared, so the next one is not
    ///   taken for a resend after an unknown outcome.
    public func markFailed(
        id: UUID, reason: String, permanent: Bool, serviceDidNotRecord: Bool = false, now: Date = Date()
    ) throws(OutboxError) {
        try write { db throws(OutboxError) in
            let changed = try db.run(
                """
                UPDATE episodes SET delivery_attempts = delivery_attempts + 1, last_attempt_at = ?, last_error = ?,
                    delivery_state = ?, updated_at = ?,
                    sent_revision = CASE WHEN ? THEN NULL ELSE sent_revision END
                WHERE id = ?
                """,
                [.real(now.timeIntervalSince1970), .text(String(reason.prefix(2_000))),
                 .text(permanent ? DeliveryState.failed.rawValue : DeliveryState.pending.rawValue),
                 .real(now.timeIntervalSince1970), .integer(serviceDidNotRecord ? 1 : 0), .text(Self.key(id))])
            guard changed == 1 else { throw .episodeNotFound(id) }
        }
    }

    // MARK: Retention

    /// Deletes the evidence of delivered episodes that ended more than `maxAge` seconds before `now`
    /// and returns what it deleted. Episode rows stay (they are small and the service has them);
    /// undelivered evidence is never deleted. Freed pages are zeroed and returned to the file system.
    public func applyRetention(now: Date = Date(), maxAge: TimeInterval = defaultRetention) throws(OutboxError)
        -> [RetentionDeletion]
    {
        guard maxAge.isFinite, maxAge >= 0 else { throw .invalidArgument("retention must be a finite age >= 0") }
        let cutoff = now.timeIntervalSince1970 - maxAge
        let deleted = try write { db throws(OutboxError) in
            let expired = try db.query(
                """
                SELECT e.id, e.session_id, coalesce(e.ended_at, e.started_at),
                    coalesce(length(v.jpeg), 0) + coalesce(length(v.thumbnail), 0)
                FROM episodes e JOIN evidence v ON v.episode_id = e.id
                WHERE e.delivery_state = 'delivered' AND coalesce(e.ended_at, e.started_at) < ?
                ORDER BY e.session_id, e.start_media
                """, [.real(cutoff)]
            ) { row throws(OutboxError) in
                RetentionDeletion(
                    episodeID: try Self.uuid(row.string(0)), sessionID: row.string(1), bytes: row.int(3),
                    episodeEndedAt: Date(timeIntervalSince1970: row.double(2)))
            }
            for deletion in expired {
                let key = Self.key(deletion.episodeID)
                try db.run("DELETE FROM evidence WHERE episode_id = ?", [.text(key)])
                try db.run(
                    "UPDATE episodes SET evidence_purged_at = ? WHERE id = ?",
                    [.real(now.timeIntervalSince1970), .text(key)])
            }
            return expired
        }
        if !deleted.isEmpty {
            // Space back to the file system, and the zeroed pages out of the WAL into the file.
            try withDatabase { db throws(OutboxError) in
                try db.execute("PRAGMA incremental_vacuum; PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
        return deleted
    }

    /// `PRAGMA integrity_check`'s findings; `["ok"]` for a sound file.
    public func integrityCheck() throws(OutboxError) -> [String] {
        try withDatabase { db throws(OutboxError) in try db.query("PRAGMA integrity_check") { row in row.string(0) } }
    }

    // MARK: Plumbing

    func withDatabase<T: Sendable>(_ body: (SQLiteConnection) throws(OutboxError) -> T) throws(OutboxError) -> T {
        try connection.withLock { (held: inout SQLiteConnection?) throws(OutboxError) -> T in
            guard let held else { throw OutboxError.closed }
            return try body(held)
        }
    }

    @discardableResult
    func write<T: Sendable>(_ body: (SQLiteConnection) throws(OutboxError) -> T) throws(OutboxError) -> T {
        try withDatabase { db throws(OutboxError) in try db.transaction { () throws(OutboxError) in try body(db) } }
    }

    private static func validate(_ episode: EpisodeRecord) throws(OutboxError) {
        let length = episode.eventType.unicodeScalars.count
        guard (1...EventTypeMapping.maxLength).contains(length) else {
            throw .invalidArgument("event type must be 1...\(EventTypeMapping.maxLength) characters, got \(length)")
        }
        guard episode.startMedia.isFinite, episode.peakConfidence.isFinite, episode.framesSeen >= 0 else {
            throw .invalidArgument("episode \(key(episode.id)) has a non-finite time or confidence")
        }
        if let end = episode.endMedia, !(end.isFinite && end >= episode.startMedia) {
            throw .invalidArgument("episode \(key(episode.id)) ends before it starts")
        }
        if episode.state == .closed, episode.endMedia == nil {
            throw .invalidArgument("closed episode \(key(episode.id)) has no end")
        }
    }

    static func key(_ id: UUID) -> String { id.uuidString.lowercased() }

    static func uuid(_ text: String) throws(OutboxError) -> UUID {
        guard let id = UUID(uuidString: text) else { throw .corruptRow("bad episode id \(text)") }
        return id
    }

    private static func encodeLabels(_ labels: Set<String>) throws(OutboxError) -> String {
        do {
            return String(decoding: try JSONEncoder().encode(labels.sorted()), as: UTF8.self)
        } catch {
            throw .invalidArgument("labels cannot be encoded: \(error)")
        }
    }

    static let sessionColumns =
        "id, student_id, exam_id, started_at, ended_at, frames_analyzed, seconds_with_face, config_json, updated_at, "
        + "owner, heartbeat_media, heartbeat_at, ended_abnormally"

    static func session(from row: SQLRow) -> SessionRecord {
        SessionRecord(
            id: row.string(0), studentID: row.string(1), examID: row.string(2),
            startedAt: Date(timeIntervalSince1970: row.double(3)),
            endedAt: row.optionalDouble(4).map(Date.init(timeIntervalSince1970:)),
            framesAnalyzed: row.optionalInt(5), secondsWithFace: row.optionalDouble(6),
            configJSON: row.optionalString(7), updatedAt: Date(timeIntervalSince1970: row.double(8)),
            owner: row.optionalString(9), heartbeatMedia: row.optionalDouble(10),
            heartbeatAt: row.optionalDouble(11).map(Date.init(timeIntervalSince1970:)), endedAbnormally: row.int(12) != 0)
    }

    static let episodeSelect = """
        SELECT e.id, e.session_id, e.type, e.event_type, e.severity, e.start_media, e.end_media, e.started_at,
            e.ended_at, e.peak_confidence, e.frames_seen, e.labels_json, e.state, e.revision, e.delivery_state,
            e.delivery_attempts, e.last_attempt_at, e.last_error, e.delivered_sink, e.remote_id,
            e.delivered_revision, e.evidence_purged_at, e.updated_at,
            EXISTS (SELECT 1 FROM evidence v WHERE v.episode_id = e.id AND (v.jpeg IS NOT NULL OR v.thumbnail IS NOT NULL)),
            e.sent_revision
        FROM episodes e JOIN sessions s ON s.id = e.session_id
        """

    static let episodeOrder = "ORDER BY s.started_at, e.session_id, e.start_media, e.id"

    static func fetchEpisode(_ db: SQLiteConnection, id: String) throws(OutboxError) -> StoredEpisode? {
        try db.query("\(episodeSelect) WHERE e.id = ?", [.text(id)], episode(from:)).first
    }

    static func episode(from row: SQLRow) throws(OutboxError) -> StoredEpisode {
        func decode<T: RawRepresentable>(_ type: T.Type, _ column: Int32) throws(OutboxError) -> T
        where T.RawValue == String {
            guard let value = T(rawValue: row.string(column)) else {
                throw .corruptRow("unknown \(T.self) \"\(row.string(column))\" in episode \(row.string(0))")
            }
            return value
        }
        let labels: [String]
        do {
            labels = try JSONDecoder().decode([String].self, from: Data(row.string(11).utf8))
        } catch {
            throw .corruptRow("labels of episode \(row.string(0)) are not a JSON string array")
        }
        let record = EpisodeRecord(
            id: try uuid(row.string(0)), type: try decode(EpisodeType.self, 2), eventType: row.string(3),
            severity: try decode(EpisodeSeverity.self, 4), startMedia: row.double(5), endMedia: row.optionalDouble(6),
            peakConfidence: row.double(9), framesSeen: row.int(10), labels: Set(labels),
            state: try decode(EpisodeState.self, 12))
        let delivery = DeliveryStatus(
            state: try decode(DeliveryState.self, 14), attempts: row.int(15),
            lastAttemptAt: row.optionalDouble(16).map(Date.init(timeIntervalSince1970:)),
            lastError: row.optionalString(17), sink: row.optionalString(18), remoteID: row.optionalString(19),
            deliveredRevision: row.optionalInt(20), sentRevision: row.optionalInt(24))
        return StoredEpisode(
            sessionID: row.string(1), record: record, startedAt: Date(timeIntervalSince1970: row.double(7)),
            endedAt: row.optionalDouble(8).map(Date.init(timeIntervalSince1970:)), revision: row.int(13),
            delivery: delivery, hasEvidence: row.int(23) != 0,
            evidencePurgedAt: row.optionalDouble(21).map(Date.init(timeIntervalSince1970:)),
            updatedAt: Date(timeIntervalSince1970: row.double(22)))
    }
}
