/// The outbox's tables and their migrations, versioned by `PRAGMA user_version`.
///
/// Each migration runs in its own write transaction that re-reads the version first, so two processes
/// opening an old file at once apply it exactly once, and a crash mid-migration leaves the previous
/// version intact. Statements are guarded by that version check, so no migration runs twice.
enum OutboxSchema {
    static let migrations: [(version: Int, statements: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE IF NOT EXISTS sessions (
                    id TEXT PRIMARY KEY NOT NULL,
                    student_id TEXT NOT NULL,
                    exam_id TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    ended_at REAL,
                    frames_analyzed INTEGER,
                    seconds_with_face REAL,
                    config_json TEXT,
                    updated_at REAL NOT NULL
                )
                """,
                """
                CREATE TABLE IF NOT EXISTS episodes (
                    id TEXT PRIMARY KEY NOT NULL,
                    session_id TEXT NOT NULL REFERENCES sessions(id),
                    type TEXT NOT NULL,
                    event_type TEXT NOT NULL CHECK (length(event_type) BETWEEN 1 AND 50),
                    severity TEXT NOT NULL,
                    start_media REAL NOT NULL,
                    end_media REAL,
                    started_at REAL NOT NULL,
                    ended_at REAL,
                    peak_confidence REAL NOT NULL,
                    frames_seen INTEGER NOT NULL,
                    labels_json TEXT NOT NULL,
                    state TEXT NOT NULL,
                    revision INTEGER NOT NULL DEFAULT 1,
                    delivery_state TEXT NOT NULL DEFAULT 'pending',
                    delivery_attempts INTEGER NOT NULL DEFAULT 0,
                    last_attempt_at REAL,
                    last_error TEXT,
                    delivered_sink TEXT,
                    remote_id TEXT,
                    delivered_revision INTEGER,
                    evidence_purged_at REAL,
                    updated_at REAL NOT NULL
                )
                """,
                "CREATE INDEX IF NOT EXISTS episodes_by_session ON episodes (session_id, start_media)",
                "CREATE INDEX IF NOT EXISTS episodes_by_delivery ON episodes (delivery_state, session_id, start_media)",
                // Blobs live apart from the episode rows so that listing episodes never reads images.
                """
                CREATE TABLE IF NOT EXISTS evidence (
                    episode_id TEXT PRIMARY KEY NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
                    jpeg BLOB,
                    thumbnail BLOB,
                    updated_at REAL NOT NULL
                )
                """,
            ]
        ),
        (
            // Crash recovery and exclusive delivery (issue 9): who owns a session and when it was last
            // seen alive; which shipper holds an episode and which revision it has put on the wire.
            2,
            [
                "ALTER TABLE sessions ADD COLUMN owner TEXT",
                "ALTER TABLE sessions ADD COLUMN heartbeat_media REAL",
                "ALTER TABLE sessions ADD COLUMN heartbeat_at REAL",
                "ALTER TABLE sessions ADD COLUMN ended_abnormally INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE episodes ADD COLUMN claim_owner TEXT",
                "ALTER TABLE episodes ADD COLUMN claim_until REAL",
                "ALTER TABLE episodes ADD COLUMN sent_revision INTEGER",
                "ALTER TABLE episodes ADD COLUMN sent_at REAL",
                "CREATE INDEX IF NOT EXISTS sessions_open ON sessions (ended_at)",
            ]
        ),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the database up to ``latestVersion``.
    static func migrate(_ connection: SQLiteConnection) throws(OutboxError) {
        let found = try userVersion(connection)
        guard found <= latestVersion else { throw .schemaTooNew(found: found, supported: latestVersion) }
        for migration in migrations where migration.version > found {
            try connection.transaction { () throws(OutboxError) in
                // Another process may have migrated between our read and our lock.
                guard try userVersion(connection) < migration.version else { return }
                for statement in migration.statements {
                    try connection.execute(statement)
                }
                try connection.execute("PRAGMA user_version = \(migration.version)")
            }
        }
    }

    static func userVersion(_ connection: SQLiteConnection) throws(OutboxError) -> Int {
        try connection.query("PRAGMA user_version") { row in row.int(0) }.first ?? 0
    }
}
