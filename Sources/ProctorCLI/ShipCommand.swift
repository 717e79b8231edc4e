import ArgumentParser
import Foundation
import Logging
import ProctorDelivery
import ProctorOutbox
import ProctorPostgres

/// `proctor ship`: delivers what the outbox holds, once, and exits.
struct Ship: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deliver pending episodes from the outbox to the proctoring service, then exit.",
        discussion: """
            Sends closed, undelivered episodes in order per exam session, through the REST API (--api-url) or \
            straight into the service's database (--database-url or $PROCTOR_DATABASE_URL, with --media-root). \
            Transient failures are retried with backoff up to --max-attempts per session; rejected episodes \
            are marked failed with the reason. Safe to run again at any time: the database path never \
            duplicates an episode; the API path may once if a response was lost after the server committed.
            Sessions whose monitor died (killed, crashed) are closed first at their last heartbeat \
            ("ended abnormally") and their episodes delivered. Episodes another running shipper holds are \
            waited for up to 30 s, then counted as not delivered.
            Example: PROCTOR_API_TOKEN=... proctor ship --api-url https://exams.example.org
            \(ExitStatus.line([
                (0, "everything deliverable was delivered"), (64, nil), (66, "the outbox is missing"),
                (69, "deliverable episodes are left: service unreachable, or held by another shipper"),
                (74, "the outbox could not be read or written"),
                (78, "the sink is misconfigured: bad token or URL, a redirect, media root not writable, schema missing"),
            ]))
            """
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var outboxOptions: OutboxOptions

    @OptionGroup var delivery: DeliveryOptions

    @Option(help: "Transient failures in a row after which an exam session is left for the next run.")
    var maxAttempts = 6

    @Option(help: "Before shipping, start an exam of this name for each session's student (API only).")
    var startExam: String?

    @Option(help: "The exam's question count for --start-exam.")
    var totalQuestions = 1

    mutating func validate() throws {
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard totalQuestions >= 1 else { throw ValidationError("--total-questions must be at least 1") }
        try delivery.validateChoice()
        if startExam != nil, delivery.apiURL == nil { throw ValidationError("--start-exam needs --api-url") }
    }

    func run() async throws {
        let logger = global.makeLogger(label: "proctor.ship")
        let path = outboxOptions.path
        // Opening a missing path would create an empty outbox and report success: a typo must fail.
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.noInput("no outbox at \(path)") }
        let store: Outbox
        do {
            store = try Outbox(path: path)
        } catch {
            throw Failure.noInput("\(error)")
        }
        defer { store.close() }
        let recovered = try recoverAbandonedSessions(store, logger: logger)
        let sink = try delivery.makeSink()
        if let startExam, let api = sink as? APISink { try startExams(named: startExam, api: api, outbox: store) }
        let shipper = Shipper(
            outbox: store, sink: sink, policy: RetryPolicy(maxAttempts: maxAttempts), logger: logger)
        let report = await shipper.drain()
        var summary =
            "delivered \(report.delivered), already there \(report.alreadyPresent), rejected \(report.rejected), "
            + "still pending \(report.remaining) (\(sink.name))"
        if report.heldElsewhere > 0 { summary += ", of which \(report.heldElsewhere) held by another running shipper" }
        if report.stillOpen > 0 { summary += ", \(report.stillOpen) still open in a running monitor" }
        if recovered > 0 { summary += ", \(recovered) sessions recovered after the monitor stopped unexpectedly" }
        print(summary)
        switch report.halt {
        case .sinkUnusable(let reason): throw Failure.configuration(reason)
        // The local store failed (locked past the retries, an I/O error): not the operator's settings.
        case .outbox(let reason): throw Failure.output("outbox \(path): \(reason)")
        case .stopped: throw Failure.unavailable("stopped before the outbox was drained")
        case nil: break
        }
        if report.remaining > 0 {
            let why =
                report.lastTransientError
                ?? (report.heldElsewhere > 0 ? "another shipper is still delivering them" : "not delivered")
            throw Failure.unavailable("\(report.remaining) episodes still pending: \(why)")
        }
    }

    /// Closes sessions whose monitor died, at their last heartbeat; returns how many.
    private func recoverAbandonedSessions(_ store: Outbox, logger: Logger) throws -> Int {
        do {
            let recovered = try store.recoverAbandonedSessions()
            for session in recovered {
                logger.warning(
                    "monitor stopped unexpectedly: session closed at its last heartbeat",
                    metadata: [
                        "session": "\(session.sessionID)", "stoppedAt": "\(session.stoppedAt)",
                        "closedEpisodes": .stringConvertible(session.closedEpisodes),
                    ])
            }
            return recovered.count
        } catch {
            throw Failure.unavailable("cannot recover abandoned sessions: \(error)")
        }
    }

    /// Starts one exam per student with pending episodes and prints the service's exam ids.
    private func startExams(named name: String, api: APISink, outbox: Outbox) throws {
        let sessions: [SessionRecord]
        do {
            let pending = Set(try outbox.pendingEpisodes(limit: Int(Int32.max), closedOnly: true).map(\.sessionID))
            sessions = try outbox.sessions().filter { pending.contains($0.id) }
        } catch {
            throw Failure.noInput("\(error)")
        }
        for student in Set(sessions.map(\.studentID)).sorted() {
            do {
                let examID = try api.startExam(studentID: student, examName: name, totalQuestions: totalQuestions)
                print("started exam \(examID) for student \(student)")
            } catch {
                throw Failure.unavailable(error.message)
            }
        }
    }
}

/// Where episodes go: the service's REST API or its database. Shared by `ship` and `doctor`.
struct DeliveryOptions: ParsableArguments {
    @Option(help: "The proctoring service's base URL, e.g. https://proctor.example.edu.")
    var apiURL: String?

    @Option(help: "Bearer token for the API (default: $PROCTOR_API_TOKEN; prefer the variable: arguments are visible to other users).")
    var token: String?

    @Option(name: .customLong("header"), help: "An extra request header, \"Name: value\" (repeatable).")
    var headers: [String] = []

    @Option(help: "API request timeout in seconds.")
    var timeout: Double = 10

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var media: MediaRootOptions

    var mediaRoot: String? { media.mediaRoot }

    var effectiveDatabaseURL: String? { database.url }

    var effectiveToken: String? {
        token ?? ProcessInfo.processInfo.environment["PROCTOR_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// For `ship`: exactly one sink, and what it needs.
    func validateChoice() throws {
        if apiURL != nil, database.databaseURL != nil { throw ValidationError("give --api-url or --database-url, not both") }
        if apiURL == nil, effectiveDatabaseURL == nil {
            throw ValidationError("give --api-url URL or --database-url URL (or set PROCTOR_DATABASE_URL)")
        }
        if apiURL == nil, mediaRoot == nil { throw ValidationError("--database-url needs --media-root DIR") }
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be in (0, 600] seconds") }
        _ = try parsedHeaders()
    }

    func apiConfiguration() throws -> APIConfiguration? {
        guard let apiURL else { return nil }
        guard let url = APIConfiguration.baseURL(from: apiURL) else {
            throw ValidationError("--api-url must be an http or https URL, got \(Redaction.redact(apiURL))")
        }
        return APIConfiguration(baseURL: url, token: effectiveToken, headers: try parsedHeaders(), timeout: timeout)
    }

    func postgresConfiguration() -> PostgresConfiguration? {
        guard let url = effectiveDatabaseURL, let mediaRoot else { return nil }
        return PostgresConfiguration(url: url, mediaRoot: mediaRoot)
    }

    /// The sink these options select; API first when both are configured. The Postgres sink starts
    /// by removing the temporary evidence files a killed run left in the media root, and says so.
    func makeSink(logger: Logger = Logger(label: "proctor.delivery")) throws -> any DeliverySink {
        if let api = try apiConfiguration() { return APISink(configuration: api) }
        if let postgres = postgresConfiguration() {
            let sink = PostgresSink(configuration: postgres)
            let swept = sink.mediaRoot.sweepStaleTemporaryFiles()
            if !swept.isEmpty {
                logger.notice(
                    "removed temporary evidence files left by a killed run",
                    metadata: ["media_root": "\(postgres.mediaRoot)", "files": "\(swept.count)"])
            }
            return sink
        }
        throw ValidationError("give --api-url URL or --database-url URL with --media-root DIR")
    }

    private func parsedHeaders() throws -> [String: String] {
        var result: [String: String] = [:]
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else {
                throw ValidationError("--header must look like \"Name: value\"")
            }
            let name = header[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw ValidationError("--header has an empty name") }
            result[name] = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return result
    }
}
