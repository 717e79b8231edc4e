import ArgumentParser
import Foundation
import Logging
import ProctorAgent
import ProctorCore
import ProctorDelivery
import ProctorPostgres
import ProctorReanalysis
import ProctorVision
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `proctor reanalyze`: today's pipeline over the service's stored evidence (`run`, the default), the
/// findings read back (`summary`, `export`), or folders like `proctor analyze` (`folder`).
struct Reanalyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-run the current pipeline over stored evidence and record whether it confirms each stored event.",
        discussion: """
            run (the default): walks proctoring_cheatingimage with its event (and student photos with \
            --include-student-photos), analyses each file under --media-root and records findings in \
            proctor_reanalysis, once per image and pipeline version; the service's tables are only read. Run \
            `proctor db migrate` first. Any number of replicas of the same command, on any machines, share the \
            work through a PostgreSQL queue (leased batches, FOR UPDATE SKIP LOCKED); rerunning resumes. \
            Ctrl-C, SIGTERM or SIGHUP stops within seconds (the batch in progress is given back; a second one quits at once). \
            summary and export read the findings only; folder is exactly `proctor analyze`.
            Example: proctor reanalyze --database-url postgresql://proctor@db/exams --media-root /srv/media
            \(ExitStatus.line([(0, nil), (1, "folder: some images failed"), (64, nil), (69, "database or media root unavailable"), (78, "models or tables missing")])) \
            128+N when stopped by signal N (the rest is left for the next run).
            """,
        subcommands: [Run.self, Summary.self, Export.self, Folder.self],
        defaultSubcommand: Run.self
    )

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
        case csv, jsonl
    }

    enum Outcome: String, ExpressibleByArgument, CaseIterable {
        case confirmed, contradicted, unjudged
    }

    /// The pipeline whose findings a command reads or writes: the models, engine and tuning it would run.
    struct Pipeline {
        var factory: VisionPipelineFactory
        var version: PipelineVersion
        /// MobileFaceNet, when identity findings can be made (it and YuNet's landmarks are present).
        var identityModel: String?
        let identityPolicy = IdentityPolicy()

        /// `explicit` names another version than the current pipeline's (for reading findings).
        init(global: GlobalOptions, tuning: VisionOptions, explicit: String?, logger: Logger) throws {
            let factory = try tuning.factory(locator: global.locator, logger: logger, followingSymlinks: false)
            // Identity findings (each image's main face against the student's registration photo) need
            // MobileFaceNet and YuNet's landmarks; without them the findings simply carry none.
            let identityModel = factory.faceModelPath == nil ? nil : global.locator.path(for: ModelLocator.embeddingModel)
            self.factory = factory
            self.identityModel = identityModel
            if let explicit {
                version = PipelineVersion(explicit)
                return
            }
            let policy = identityPolicy
            do {
                version = try PipelineVersion(factory: factory, policy: tuning.policy, identity: identityModel.map { ($0, policy) })
            } catch {
                throw Failure.configuration(error.description)
            }
        }
    }

    /// `run`: the batch loop over the service's stored evidence.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Analyse the service's stored evidence and record a finding per image.",
            discussion: """
                Example: proctor reanalyze run --database-url postgresql://proctor@db/exams --media-root /srv/media --since 2024-05-01
                \(ExitStatus.line([(0, nil), (64, nil), (69, "database or media root unavailable"), (78, "models or tables missing")])) \
                128+N when stopped by signal N (the rest is left for the next run).
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var database: DatabaseOptions

        @OptionGroup var media: MediaRootOptions

        @Option(help: "Only events at or after this ISO 8601 date or timestamp (UTC unless a zone is given).")
        var since: String?

        @Option(help: "Only events before this ISO 8601 date or timestamp.")
        var until: String?

        @Option(help: "Only events of this stored event_type.")
        var eventType: String?

        @Option(help: "Only this student (the service's id or clerk id).")
        var student: String?

        @Flag(help: "Also analyse the students' reference photos (proctoring_student.photo).")
        var includeStudentPhotos = false

        @Option(name: .shortAndLong, help: "Parallel analysis jobs (default: one per core).")
        var jobs: Int?

        @Option(help: "Images claimed per batch; Ctrl-C waits for the current batch.")
        var batchSize = 64

        @Option(help: "Seconds a claimed batch stays leased; a crashed worker's batch is claimed again after it.")
        var lease: Double = 600

        @Option(help: "This worker's name in the queue (default: host-pid).")
        var workerID: String?

        @OptionGroup var tuning: VisionOptions

        /// From the first stop signal to the process's exit, whatever the batch was doing (a lease left
        /// behind runs out): 8 s, so a process starved of CPU still keeps the 10 s promise.
        static let stopDeadline = 8.0

        mutating func validate() throws {
            if let jobs { try VisionOptions.validate(jobs: jobs) }
            try tuning.validate()
            _ = try database.required()
            _ = try media.required()
            guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be in 1...100000") }
            guard lease >= 1, lease <= 86_400 else { throw ValidationError("--lease must be in 1...86400 seconds") }
            for (name, value) in [("--since", since), ("--until", until)] {
                if let value, TimestampArgument.parse(value) == nil {
                    throw ValidationError("\(name) must be an ISO 8601 date or timestamp, got \(value)")
                }
            }
        }

        func run() async throws {
            let url = try database.required()
            let mediaRoot = try media.required()
            let logger = global.makeLogger(label: "proctor.reanalyze")
            let pipeline = try Pipeline(global: global, tuning: tuning, explicit: nil, logger: logger)
            // Stored names are resolved inside the media root by the reanalyzer; the file itself is then
            // opened without following a symlink, so nothing swapped in meanwhile leads out of the root.
            let jobs = jobs ?? BatchAnalyzer.defaultJobs(for: pipeline.factory.backend)
            let analyzer = try tuning.makeAnalyzer(factory: pipeline.factory, jobs: jobs, logger: logger)
            let selection = Selection(
                since: since.flatMap(TimestampArgument.parse), until: until.flatMap(TimestampArgument.parse), eventType: eventType,
                student: student, includeStudentPhotos: includeStudentPhotos)
            let worker = workerID ?? Reanalyze.defaultWorkerID()
            let reanalyzer: Reanalyzer
            let remaining: Int
            do {
                var identity: ReferenceComparer?
                if pipeline.identityModel != nil {
                    identity = try ReferenceComparer(
                        factory: pipeline.factory, locator: global.locator, policy: pipeline.identityPolicy, minFaceScore: tuning.minFaceScore)
                } else {
                    logger.warning("no identity findings: \(ModelLocator.embeddingModel) or the YuNet face model is missing")
                }
                reanalyzer = try Reanalyzer(
                    databaseURL: url, analyzer: analyzer, policy: tuning.policy, mediaRoot: mediaRoot,
                    queue: WorkQueue(version: pipeline.version, selection: selection),
                    settings: Reanalyzer.Settings(worker: worker, batchSize: batchSize, leaseSeconds: lease), identity: identity)
                remaining = try reanalyzer.prepare()
            } catch {
                throw Reanalyze.failure(error)
            }
            logger.notice(
                "reanalyze started",
                metadata: [
                    "database": "\(Redaction.redact(url))", "pipeline": "\(pipeline.version)", "queued": "\(remaining)", "worker": "\(worker)",
                    "jobs": "\(jobs)",
                ])
            let progress = ReanalysisProgress(total: remaining, bar: Terminal.stderrIsTerminal && !global.quiet, logger: logger)
            let stop = StopRequest()
            let service = ReanalysisService(reanalyzer: reanalyzer, stop: stop, progress: progress, logger: logger)
            var groupLogger = logger
            if logger.logLevel > .trace { groupLogger.logLevel = max(logger.logLevel, .warning) }
            // Its return (the queue is empty, or a stop request was honoured) ends the group normally.
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)], logger: groupLogger))
            // The current image finishes and the batch in progress is given back; a second signal quits
            // at once (the claimed batch's lease runs out and another worker takes it).
            let ending = await SignalledGroup.run(
                group, stop: stop, deadline: Self.stopDeadline, endOnEscalation: true, logger: logger,
                firstSignal: { _ in
                    Terminal.writeError("\nstopping: the batch in progress goes back to the queue (again to quit now)\n")
                })
            let totals: ReanalysisTotals
            switch ending {
            case .escalated(let signal):
                throw ExitCode(128 + signal)
            case .deadlinePassed(let signal, let seconds):
                Terminal.writeError("error: still running \(Int(seconds)) s after \(SignalName.of(signal)); exiting\n")
                throw ExitCode(128 + signal)
            case .finished(let error?):
                progress.finish()
                if let failure = error as? ReanalysisError { throw Reanalyze.failure(failure) }
                throw error
            case .finished(nil):
                guard let done = service.totals.withLock({ $0 }) else { throw Failure.unavailable("the reanalysis ended without a result") }
                totals = done
            }
            progress.finish()
            logger.notice(
                "reanalyze finished",
                metadata: [
                    "images": "\(totals.processed)", "inserted": "\(totals.inserted)", "analysis_s": "\(Reanalyze.seconds(totals.analysisSeconds))",
                    "database_s": "\(Reanalyze.seconds(totals.databaseSeconds))",
                ])
            print("this run: \(totals.line)")
            if !global.quiet { try Reanalyze.printSummary(url: url, version: pipeline.version) }
            if let reason = totals.stoppedBy { throw Failure.unavailable(reason) }
            if let number = stop.firstSignal { throw ExitCode(128 + number) }
        }
    }

    /// `summary`: the findings of one pipeline version, per stored event type.
    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the findings of this pipeline version per stored event type: confirmed / contradicted / unjudged.",
            discussion: """
                Example: proctor reanalyze summary --database-url postgresql://proctor@db/exams
                \(ExitStatus.line([(0, nil), (64, nil), (69, "database unavailable"), (78, "models or tables missing")]))
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var database: DatabaseOptions

        @OptionGroup var findings: FindingsVersion

        func validate() throws {
            try findings.validate()
            _ = try database.required()
        }

        func run() throws {
            let logger = global.makeLogger(label: "proctor.reanalyze")
            let pipeline = try findings.pipeline(global: global, logger: logger)
            try Reanalyze.printSummary(url: try database.required(), version: pipeline.version)
        }
    }

    /// `export`: the findings of one pipeline version as csv or jsonl on stdout.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write this pipeline version's findings to stdout as csv or jsonl.",
            discussion: """
                Example: proctor reanalyze export csv --database-url postgresql://proctor@db/exams --outcome contradicted > review.csv
                \(ExitStatus.line([(0, nil), (64, nil), (69, "database unavailable"), (74, nil), (78, "models or tables missing")]))
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var database: DatabaseOptions

        @Argument(help: "csv or jsonl.")
        var format: ExportFormat

        @Option(help: "Only findings with this outcome (confirmed, contradicted, unjudged).")
        var outcome: Outcome?

        @OptionGroup var findings: FindingsVersion

        func validate() throws {
            try findings.validate()
            _ = try database.required()
        }

        func run() throws {
            let logger = global.makeLogger(label: "proctor.reanalyze")
            let pipeline = try findings.pipeline(global: global, logger: logger)
            try Reanalyze.withFindings(url: try database.required()) { db in
                let writer = OutputWriter()
                let exporter = FindingExporter(format: format == .csv ? .csv : .jsonl)
                try exporter.export(db, version: pipeline.version.value, outcome: outcome?.rawValue) { writer.write($0) }
                try writer.flush()
            }
        }
    }

    /// `folder`: `proctor analyze` itself, for reanalysing images that are not in the service's tables.
    struct Folder: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Analyse image files or directories exactly as proctor analyze does.",
            discussion: """
                Example: proctor reanalyze folder photos/ --format table
                \(ExitStatus.line([(0, nil), (1, "some images failed"), (64, nil), (78, "models missing")]))
                """)

        @OptionGroup var analyze: Analyze

        mutating func validate() throws { try analyze.validate() }

        func run() throws { try analyze.run() }
    }

    /// Prints the summary of `version`'s findings.
    static func printSummary(url: String, version: PipelineVersion) throws {
        try withFindings(url: url) { db in
            print(try ReanalysisSummary.load(db, version: version.value).text(), terminator: "")
        }
    }

    /// Connects, checks that the findings table exists, and runs `body`; database errors become 69.
    static func withFindings(url: String, _ body: (PostgresConnection) throws -> Void) throws {
        let (db, shown) = try ServiceDatabaseConnection.connect(url)
        defer { db.close() }
        do {
            guard try ReanalysisSchema.installedVersion(db) > 0 else {
                throw Failure.configuration("\(shown): no proctor_reanalysis table: run proctor db migrate")
            }
            try body(db)
        } catch let error as PostgresError {
            throw Failure.unavailable("\(shown): \(error.description)")
        }
    }

    static func failure(_ error: ReanalysisError) -> Failure {
        switch error {
        case .configuration(let message): .configuration(message)
        case .unavailable(let message): .unavailable(message)
        }
    }

    static func defaultWorkerID() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count - 1) == 0 ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        return "\(host)-\(getpid())"
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2f", value) }
}
