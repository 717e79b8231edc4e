import ArgumentParser
import Foundation
import ProctorOutbox
import ProctorReport

#if canImport(Glibc)
import Glibc
#endif

/// `proctor report`: one session as a page a reviewer reads in a minute (or as JSON for tools).
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a session's report: timeline, evidence frames and a credibility level.",
        discussion: """
            Without --session, the latest session in the outbox. The HTML page is self-contained (inline CSS, \
            embedded evidence thumbnails) and holds biometric data: it is written readable by its owner only.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case html, json }

    @OptionGroup var outboxOptions: OutboxOptions

    @Option(help: "The session to report (default: the latest in the outbox).")
    var session: String?

    @Option(help: "Read the service's PostgreSQL database instead of the outbox (needs --media-root and --student).")
    var databaseURL: String?

    @Option(help: "Directory holding the service's media files (with --database-url).")
    var mediaRoot: String?

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

    @Option(help: "Time zone for wall-clock times, e.g. Europe/Berlin (default: this machine's).")
    var timeZone: String?

    func validate() throws {
        if databaseURL != nil {
            guard mediaRoot != nil, student != nil else {
                throw ValidationError("--database-url needs --media-root and --student")
            }
        } else if mediaRoot != nil || student != nil || since != nil || until != nil {
            throw ValidationError("--media-root, --student, --since and --until only apply with --database-url")
        }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw ValidationError("unknown time zone \(timeZone)")
        }
    }

    func run() throws {
        if databaseURL != nil {
            // The reader of the service's tables comes with the delivery module; until then, say so plainly.
            throw Failure.unavailable(
                "reading sessions from the service's database is not available yet; use --outbox with the local outbox")
        }
        let path = outboxOptions.path
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.noInput("no outbox at \(path)") }
        let input: ReportInput
        do {
            let outbox = try Outbox(path: path)
            defer { outbox.close() }
            input = try OutboxReportSource(outbox: outbox).load(sessionID: session)
        } catch let error as ReportError {
            if case .sessionNotFound = error { throw Failure.noInput(error.description) }
            throw Failure.configuration(error.description)
        } catch {
            throw Failure.configuration("outbox \(path): \(error)")
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
            FileHandle.standardOutput.write(bytes)
            return
        }
        try Self.writeOwnerOnly(bytes, to: out)
    }

    /// Writes through a 0600 temporary file renamed into place: a reader never sees half a report,
    /// and the evidence in it is never readable by others, not even for a moment.
    static func writeOwnerOnly(_ bytes: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: bytes, attributes: [.posixPermissions: 0o600])
        else { throw Failure.noInput("cannot write \(temporary)") }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw Failure.noInput("cannot write \(path): \(reason)")
        }
    }
}
