import Foundation
import ProctorImaging
import ProctorOutbox
import ProctorPostgres
import Synchronization

/// Writes episodes straight into the proctoring service's database and media root.
///
/// Per episode: the evidence JPEG is written and synced beside `cheating_images/violation_<episode
/// uuid>.jpg`, then one transaction gets or creates the student by `clerk_id`, inserts the
/// `cheatingevent` and its `cheatingimage` row, and only then is the file renamed into place (or
/// removed when the transaction failed). The image path carries the episode id, so it is the
/// idempotency key: a replay (after a crash, a lost COMMIT reply, a restart) finds it inside the
/// transaction and creates nothing. A transaction-scoped advisory lock on the path makes two
/// processes delivering the same episode at once take turns instead of both inserting.
///
/// Every column the service's Django models fill with defaults is supplied here, because the
/// database has no defaults. One connection, reopened after any connection-level failure.
public final class PostgresSink: DeliverySink {
    public let name = "postgres"
    public let updatesInPlace = true
    public let configuration: PostgresConfiguration
    public let mediaRoot: MediaRoot

    private let connection = Mutex<PostgresConnection?>(nil)

    public init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        mediaRoot = MediaRoot(path: configuration.mediaRoot)
    }

    /// The media path the service stores for an episode's image.
    public static func imagePath(for episodeID: UUID) -> String {
        "cheating_images/violation_\(episodeID.uuidString.lowercased()).jpg"
    }

    public func deliver(_ shipment: Shipment) throws(DeliveryFailure) -> DeliveryReceipt {
        guard !shipment.studentID.isEmpty else { throw .permanent("the episode's session has no student id") }
        let imagePath = Self.imagePath(for: shipment.episode.id)
        // An episode without a frame (camera_lost) still gets an image: the image row is what makes
        // replays recognisable, and a row pointing at a missing file would break the service's pages.
        guard let jpeg = shipment.evidenceJPEG ?? EvidenceImages.placeholder else {
            throw .transient("cannot encode the placeholder image for an episode without evidence")
        }
        // The file is written and synced first but put in place only once its row is committed: a
        // rejected or failed transaction (email clash, a too-long value, the database gone) leaves no
        // biometric file without a row. A replay whose row exists puts the file (back) in place.
        let staged: AtomicFile.Staged
        do {
            staged = try mediaRoot.stage(jpeg, to: imagePath)
        } catch {
            // A local file system problem is the deployment's to fix: the sink is unusable until then.
            throw .unusable(error.message)
        }
        let labels = String(decoding: EvidenceImages.labelsJSON(Set(shipment.detectedObjects)), as: UTF8.self)
        let receipt: DeliveryReceipt
        do {
            receipt = try withConnection { db throws(PostgresError) in
                try db.transaction { () throws(PostgresError) in
                    try Self.insert(shipment, imagePath: imagePath, labels: labels, db)
                }
            }
        } catch {
            staged.discard()
            throw error
        }
        do {
            try staged.commit()
        } catch {
            // The row is committed: a retry finds it and puts the file in place then.
            throw .unusable("media root \(mediaRoot.path): \(error.description)")
        }
        return receipt
    }

    private static func insert(_ shipment: Shipment, imagePath: String, labels: String, _ db: PostgresConnection)
        throws(PostgresError) -> DeliveryReceipt
    {
        let record = shipment.episode.record
        try db.execute("SELECT pg_advisory_xact_lock(hashtext($1))", [imagePath])
        try db.execute(
            """
            INSERT INTO proctoring_student (clerk_id, name, email, photo, "timestamp")
            VALUES ($1, 'Student', $2, '', now()) ON CONFLICT DO NOTHING
            """, [shipment.studentID, "\(shipment.studentID)@student.local"])
        guard
            let student = try db.execute("SELECT id FROM proctoring_student WHERE clerk_id = $1", [shipment.studentID])
                .scalar
        else {
            // ON CONFLICT swallowed a clash on another unique column (the derived email).
            throw PostgresError(
                sqlState: "23505", message: "cannot create student \(shipment.studentID): its email is taken",
                connectionLost: false)
        }
        // Through the student's events so both lookups use the service's indexes.
        let existing = try db.execute(
            """
            SELECT i.event_id FROM proctoring_cheatingevent e
            JOIN proctoring_cheatingimage i ON i.event_id = e.id
            WHERE e.student_id = $1 AND i.image = $2 ORDER BY i.event_id LIMIT 1
            """, [student, imagePath]
        ).scalar
        if let existing {
            // A later revision may have more labels; the event itself stays the one event.
            try db.execute(
                "UPDATE proctoring_cheatingevent SET event_type = $2, detected_objects = $3::jsonb WHERE id = $1",
                [existing, record.eventType, labels])
            return DeliveryReceipt(remoteID: existing, alreadyPresent: true)
        }
        guard
            let event = try db.execute(
                """
                INSERT INTO proctoring_cheatingevent
                    (student_id, cheating_flag, event_type, "timestamp", detected_objects, tab_switch_count)
                VALUES ($1, true, $2, to_timestamp($3::double precision), $4::jsonb, 0)
                RETURNING id
                """,
                [student, record.eventType, "\(shipment.episode.startedAt.timeIntervalSince1970)", labels]
            ).scalar
        else { throw PostgresError(sqlState: nil, message: "event insert returned no id", connectionLost: false) }
        try db.execute(
            "INSERT INTO proctoring_cheatingimage (event_id, image, \"timestamp\") VALUES ($1, $2, now())",
            [event, imagePath])
        return DeliveryReceipt(remoteID: event)
    }

    /// Runs `body` on the open connection, opening one first; drops it after a connection-level
    /// failure so the next call reconnects.
    private func withConnection<T: Sendable>(_ body: (PostgresConnection) throws(PostgresError) -> T) throws(DeliveryFailure)
        -> T
    {
        let configuration = configuration
        let result = connection.withLock { held -> Result<T, PostgresError> in
            do throws(PostgresError) {
                if held == nil || held?.isOpen == false {
                    held?.close()
                    held = try PostgresConnection(
                        url: configuration.url, connectTimeout: configuration.connectTimeout,
                        statementTimeout: configuration.statementTimeout)
                }
                guard let db = held else {
                    throw PostgresError(sqlState: nil, message: "no connection", connectionLost: true)
                }
                return .success(try body(db))
            } catch {
                if error.connectionLost || held?.isOpen == false {
                    held?.close()
                    held = nil
                }
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw error.deliveryFailure
        }
    }

    /// Closes the connection; the next delivery reopens it.
    public func disconnect() {
        connection.withLock { held in
            held?.close()
            held = nil
        }
    }
}
