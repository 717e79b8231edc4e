import ArgumentParser
import Foundation
import ProctorCore
import ProctorImaging
import ProctorOutbox
import ProctorReport
import ProctorVision

#if canImport(Glibc)
import Glibc
#endif

/// `proctor report`: one session as a page a reviewer reads in a minute (or as JSON for tools).
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a session's report: timeline, evidence frames and a credibility level.",
        discussion: """
            Without --session, the latest session in the outbox. With --database-url (or $PROCTOR_DATABASE_URL), \
            the service's PostgreSQL database instead: the session is --student's events from --since (default: \
            their first event) to --until (default: now), with evidence files from --media-root; the database \
            keeps no durations, so each event is a moment on the page. The HTML page is self-contained (inline \
            CSS, embedded evidence thumbnails) and holds biometric data: it is written readable by its owner only.
            Example: proctor report --out session.html
            \(ExitStatus.line([(0, nil), (64, nil), (66, "no such session or student"), (69, "database unreachable"), (74, nil), (78, nil)]))
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case html, json }

    @OptionGroup var outboxOptions: OutboxOptions

    @Option(help: "The session to report: its id or a unique start of it (default: the latest in the outbox).")
    var session: String?

    @Option(help: "Read the service's PostgreSQL database instead of the outbox (needs --media-root and --student; default: $PROCTOR_DATABASE_URL when those are given).")
    var databaseURL: String?

    @OptionGroup var media: MediaRootOptions

    private var mediaRoot: String? { media.mediaRoot }

    @Option(help: "The student whose events make up the session (with --database-url).")
    var student: String?

    @Option(help: "Start of the time window, ISO 8601 (with --database-url).")
    var since: String?

    @Option(help: "End of the time window, ISO 8601 (with --database-url).")
    var until: String?

    @Option(help: "Where to write the report; - for standard output.")
    var out: String

    @Option(help: "html or json.")
    var format: Format = .html

    @Option(help: "The registered student's photo, shown beside different_person evidence (from the database: the student's registration photo).")
    var reference: String?

    @Option(help: "Time zone for wall-clock times, e.g. Europe/Berlin (default: this machine's).")
    var timeZone: String?

    /// --database-url, else $PROCTOR_DATABASE_URL when a database-only option asks for the database.
    private var resolvedDatabaseURL: String? {
        if let databaseURL { return databaseURL }
        guard mediaRoot != nil || student != nil || since != nil || until != nil else { return nil }
        return DatabaseOptions.fromEnvironment
    }

    func validate() throws {
        if resolvedDatabaseURL != nil {
            guard mediaRoot != nil, student?.isEmpty == false else {
                throw ValidationError("--database-url needs --media-root and --student")
            }
            if session != nil {
                throw ValidationError("--session applies to the outbox; from the database, use --student, --since and --until")
            }
            for (name, value) in [("--since", since), ("--until", until)] {
                if let value, TimestampArgument.parse(value) == nil {
                    throw ValidationError("\(name) \(value) is not an ISO 8601 date or timestamp (e.g. 2025-05-12T09:00:00Z)")
                }
            }
        } else if mediaRoot != nil || student != nil || since != nil || until != nil {
            throw ValidationError(
                "--media-root, --student, --since and --until only apply with --database-url (or $PROCTOR_DATABASE_URL)")
        }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw ValidationError("unknown time zone \(timeZone)")
        }
    }

    func run() throws {
        var input = try resolvedDatabaseURL.map(loadFromDatabase) ?? loadFromOutbox()
        if let reference {
            do {
                input.reference = Data(try ImageLoader.readFile(reference, limit: 25_000_000))
            } catch {
                throw Failure.noInput("reference photo \(reference): \(error)")
            }
        }
        let report = ReportBuilder(shrinker: JPEGEvidenceShrinker()).build(input)
        let bytes: Data
        switch format {
        case .json:
            bytes = try report.jsonData()
        case .html:
            let zone = timeZone.flatMap(TimeZone.init(identifier:)) ?? .current
            bytes = Data(HTMLReportRenderer(timeZone: zone).render(report).utf8)
        }
        if out == "-" {
            try StandardOutput.write(bytes)
            return
        }
        try Self.writeOwnerOnly(bytes, to: out)
    }

    private func loadFromOutbox() throws -> ReportInput {
        let path = outboxOptions.path
        let outbox = try Outbox.openForReading(path)
        defer { outbox.close() }
        var selected: String?
        if let session {
            let sessions: [SessionRecord]
            do {
                sessions = try outbox.sessions()
            } catch {
                throw Failure.configuration("outbox \(path): \(error)")
            }
            selected = try SessionPrefix.resolve(session, among: sessions, outbox: path)
        }
        do {
            return try OutboxReportSource(outbox: outbox).load(sessionID: selected)
        } catch {
            throw Self.failure(error)
        }
    }

    private func loadFromDatabase(_ url: String) throws -> ReportInput {
        guard let mediaRoot, let student else { throw ValidationError("--database-url needs --media-root and --student") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: mediaRoot, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure.noInput("media root \(mediaRoot) is not a directory")
        }
        let window = ReportWindow(
            studentID: student, since: since.flatMap(TimestampArgument.parse), until: until.flatMap(TimestampArgument.parse))
        do {
            return try DatabaseReportSource(url: url, mediaRoot: mediaRoot, window: window).load(sessionID: nil)
        } catch {
            throw Self.failure(error)
        }
    }

    /// Exit statuses: no such session or student 66, database unreachable 69, anything else 78.
    private static func failure(_ error: ReportError) -> Failure {
        switch error {
        case .sessionNotFound: .noInput(error.description)
        case .unreachable: .unavailable(error.description)
        case .source, .rendering: .configuration(error.description)
        }
    }

    /// Writes through a temporary file created 0600 (O_EXCL, never through a symlink), synced and
    /// renamed into place: a reader never sees half a report, and the evidence in it is never
    /// readable by others, not even for a moment. The media root's writer, with the owner-only mode.
    static func writeOwnerOnly(_ bytes: Data, to path: String) throws {
        do {
            try AtomicFile.write(bytes, to: path, mode: 0o600)
        } catch {
            throw Failure.output("cannot write the report: \(error.description)")
        }
    }
}
