import Foundation
import ProctorCore
import ProctorPostgres

/// Reads a student's events in a time window from the proctoring service's PostgreSQL database.
///
/// The service has no sessions: a session here is the student's `proctoring_cheatingevent` rows with
/// `timestamp` in `[since, until)`, each with its `proctoring_cheatingimage` files from the media root.
/// Its rows are moments, not episodes: no durations, severities, confidences, monitored time or face
/// time. So every event becomes a point-like episode (start = end) with its type's default severity
/// (``ServiceEventType``), the header marks the session as point events (the page prints "not
/// recorded" instead of made-up numbers), and the notes say so. Event types the report has no lane
/// for are counted in a note, not dropped silently.
///
/// Read-only: every query runs in one `READ ONLY`, `REPEATABLE READ` transaction (one consistent
/// snapshot), with parameters sent apart from the SQL. Errors name the server by its redacted URL.
public struct DatabaseReportSource: ReportSource {
    /// A libpq URL or key=value string; may hold a password, so it is only ever printed redacted.
    public let url: String
    public let media: MediaEvidence
    public let window: ReportWindow
    /// The default end of the window.
    public let now: Date
    public var connectTimeout: Int
    /// Milliseconds any one query may take.
    public var statementTimeout: Int

    public init(
        url: String, mediaRoot: String, window: ReportWindow, now: Date = Date(), connectTimeout: Int = 5,
        statementTimeout: Int = 30_000
    ) {
        self.url = url
        self.media = MediaEvidence(root: mediaRoot)
        self.window = window
        self.now = now
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
    }

    /// One `proctoring_cheatingevent` row with its image names, as read.
    struct EventRow {
        var id: Int64
        var eventType: String
        var time: Date
        var objects: [String]
        var images: [String] = []
    }

    public func load(sessionID: String?) throws(ReportError) -> ReportInput {
        if let sessionID {
            throw .source(
                "the service's database has no session \(sessionID): a session there is a student's time window "
                    + "(--student, --since, --until)")
        }
        let server = Redaction.redact(url)
        let until = window.until ?? now
        if let since = window.since, since >= until {
            throw .source("the window is empty: --since \(Self.iso(since)) is not before --until \(Self.iso(until))")
        }
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection(url: url, connectTimeout: connectTimeout, statementTimeout: statementTimeout)
        } catch {
            // A malformed URL or refused credentials are the deployment's to fix (78), not an outage (69).
            if error.kind == .configuration { throw .source("database \(server): \(error.description)") }
            throw .unreachable("database \(server): \(error.description)")
        }
        defer { connection.close() }
        let read: (events: [EventRow], exam: String?)?
        do {
            read = try connection.transaction { () throws(PostgresError) -> ([EventRow], String?)? in
                try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return try query(connection, until: until)
            }
        } catch {
            if error.connectionLost { throw .unreachable("database \(server): \(error.description)") }
            throw .source("database \(server): \(error.description)")
        }
        guard let read else {
            // A clean report for a mistyped id would read as "nothing to see": say it instead.
            throw .sessionNotFound("no student with clerk_id \(window.studentID) in database \(server)")
        }
        var input = assemble(read.events, exam: read.exam, until: until)
        if input.episodes.contains(where: { $0.type == .differentPerson }),
            let stored = try? connection.execute(
                "SELECT coalesce(photo, '') FROM proctoring_student WHERE clerk_id = $1", [window.studentID]
            ).scalar, !stored.isEmpty, case .success(let bytes) = media.read(stored)
        {
            input.reference = bytes
        }
        return input
    }

    /// The student's events in the window with their images, and the exam they belong to; nil when
    /// there is no such student.
    private func query(_ db: PostgresConnection, until: Date) throws(PostgresError) -> ([EventRow], String?)? {
        guard let student = try db.execute("SELECT id FROM proctoring_student WHERE clerk_id = $1", [window.studentID]).scalar
        else { return nil }
        let since = window.since.map { "\($0.timeIntervalSince1970)" }
        let bounds = [student, since, "\(until.timeIntervalSince1970)"]
        let filter = """
            e.student_id = $1 AND ($2::double precision IS NULL OR e."timestamp" >= to_timestamp($2::double precision))
                AND e."timestamp" < to_timestamp($3::double precision)
            """
        var events: [EventRow] = []
        var index: [Int64: Int] = [:]
        for row in try db.execute(
            """
            SELECT e.id, coalesce(e.event_type, ''), extract(epoch FROM e."timestamp"), e.detected_objects::text
            FROM proctoring_cheatingevent e WHERE \(filter) ORDER BY e."timestamp", e.id
            """, bounds
        ).rows {
            guard row.count == 4, let id = row[0].flatMap({ Int64($0) }), let seconds = row[2].flatMap({ Double($0) })
            else { continue }
            index[id] = events.count
            events.append(
                EventRow(
                    id: id, eventType: row[1] ?? "", time: Date(timeIntervalSince1970: seconds),
                    objects: Self.labels(row[3])))
        }
        for row in try db.execute(
            """
            SELECT i.event_id, i.image FROM proctoring_cheatingimage i
            JOIN proctoring_cheatingevent e ON e.id = i.event_id
            WHERE \(filter) ORDER BY i.event_id, i.id
            """, bounds
        ).rows {
            guard row.count == 2, let id = row[0].flatMap({ Int64($0) }), let position = index[id], let image = row[1]
            else { continue }
            events[position].images.append(image)
        }
        // The exam whose row falls in the window; the service writes it when the exam is taken.
        let start = since ?? events.first.map { "\($0.time.timeIntervalSince1970)" }
        let exam = try db.execute(
            """
            SELECT exam_name FROM proctoring_exam
            WHERE student_id = $1 AND ($2::double precision IS NULL OR "timestamp" >= to_timestamp($2::double precision))
                AND "timestamp" < to_timestamp($3::double precision)
            ORDER BY "timestamp" DESC, id DESC LIMIT 1
            """, [student, start, "\(until.timeIntervalSince1970)"]
        ).scalar
        return (events, exam)
    }

    /// The rows as a report input: point-like episodes from the window's start, evidence read from disk.
    private func assemble(_ events: [EventRow], exam: String?, until: Date) -> ReportInput {
        let end = window.until ?? events.last?.time ?? now
        let start = window.since ?? events.first?.time ?? end
        var episodes: [ReportEpisodeInput] = []
        var others: [String: Int] = [:]
        var severalImages = 0
        for event in events {
            guard let type = ServiceEventType.episodeType(eventType: event.eventType, objects: event.objects) else {
                let name = event.eventType.isEmpty ? "(no type)" : event.eventType
                let key = name == "object_detected" && !event.objects.isEmpty
                    ? "\(name) (\(event.objects.joined(separator: ", ")))" : name
                others[key, default: 0] += 1
                continue
            }
            if event.images.count > 1 { severalImages += 1 }
            var evidence: Data?
            var problem: String?
            for image in event.images {
                switch media.read(image) {
                case .success(let bytes):
                    evidence = bytes
                case .failure(let failure):
                    problem = problem ?? failure.message
                }
                if evidence != nil { break }
            }
            if evidence == nil, event.images.isEmpty {
                problem = "Evidence missing: the service stored no image for this event."
            }
            let offset = max(0, event.time.timeIntervalSince(start))
            episodes.append(
                ReportEpisodeInput(
                    id: Self.uuid(event.id), type: type, eventType: event.eventType,
                    severity: ServiceEventType.severity(eventType: event.eventType, type: type), start: offset, end: offset, peakConfidence: 0,
                    framesSeen: 0, labels: Set(event.objects), evidence: evidence, evidenceKind: .plain,
                    evidenceNote: evidence == nil ? problem : nil))
        }
        let session = ReportSession(
            id: "\(Self.iso(start))/\(Self.iso(end))", studentID: window.studentID, examID: exam ?? "", startedAt: start,
            endedAt: end, pointEvents: true,
            notes: notes(others: others, severalImages: severalImages, until: until))
        return ReportInput(session: session, episodes: episodes)
    }

    private func notes(others: [String: Int], severalImages: Int, until: Date) -> [String] {
        let from = window.since.map(Self.iso) ?? "the student's first event"
        let to = window.until.map(Self.iso) ?? "the last event (events up to \(Self.iso(until)) were read)"
        var notes = [
            "From the service's database: this session is student \(window.studentID)'s events from \(from) to \(to).",
            "The database keeps each event as a moment, without duration, severity, confidence, monitored time or "
                + "face time. Each event is shown at its timestamp with its type's default severity; credibility "
                + "counts each event at the formula's minimum and divides by the session length instead of the "
                + "monitored time.",
        ]
        if !others.isEmpty {
            let total = others.values.reduce(0, +)
            let list = others.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) × \($0.value)" }
            notes.append(
                "Other: \(total) \(total == 1 ? "event has a type" : "events have types") this report has no lane for, "
                    + "not shown as episodes and not counted in credibility: \(list.joined(separator: ", ")).")
        }
        if severalImages > 0 {
            let subject = severalImages == 1 ? "event has" : "events have"
            notes.append("\(severalImages) \(subject) several images; each card shows the first readable one.")
        }
        return notes
    }

    /// A stable id per event row: its bigint id in the UUID's last eight bytes.
    static func uuid(_ id: Int64) -> UUID {
        let b = withUnsafeBytes(of: UInt64(bitPattern: id).bigEndian) { Array($0) }
        return UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, b[0], 0x80, b[1], b[2], b[3], b[4], b[5], b[6], b[7]))
    }

    /// `detected_objects` as label strings: a JSON array of strings, or of objects with a `label`/`name`/`class`.
    static func labels(_ json: String?) -> [String] {
        guard let json, let value = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]),
            let array = value as? [Any]
        else { return [] }
        return array.compactMap { item in
            if let text = item as? String { return text }
            guard let object = item as? [String: Any] else { return nil }
            return ["label", "name", "class"].lazy.compactMap { object[$0] as? String }.first
        }
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
