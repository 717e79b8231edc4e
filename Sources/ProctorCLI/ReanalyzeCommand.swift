import ArgumentParser
import Foundation
import Logging
import ProctorCore
import ProctorDelivery
import ProctorPostgres
import ProctorReanalysis
import ProctorVision

#if canImport(Glibc)
import Glibc
#endif

/// `proctor reanalyze`: today's pipeline over the service's stored evidence, or over folders like `proctor analyze`.
struct Reanalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-run the current pipeline over stored evidence and record whether it confirms each stored event.",
        discussion: """
            Database mode (no PATH): walks proctoring_cheatingimage with its event (and student photos with \
            --include-student-photos), analyses each file under --media-root and records findings in \
            proctor_reanalysis, once per image and pipeline version; the service's tables are only read. Run \
            `proctor db migrate` first. Any number of replicas of the same command, on any machines, share the \
            work through a PostgreSQL queue (leased batches, FOR UPDATE SKIP LOCKED); rerunning resumes. \
            Ctrl-C, SIGTERM or SIGHUP stops within seconds (the batch in progress is given back). --summary and --export read the findings only.
            Folder mode (PATH...): exactly `proctor analyze` with the same options and output.
            Example: proctor reanalyze --database-url postgresql://proctor@db/exams --media-root /srv/media --summary
            \(ExitStatus.line([(0, nil), (1, "folder mode: some images failed"), (64, nil), (69, "database or media root unavailable"), (78, "models or tables missing")])) \
            128+N when stopped by signal N (the rest is left for the next run).
            """
    )

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
        case csv, jsonl
    }

    enum Outcome: String, ExpressibleByArgument, CaseIterable {
        case confirmed, contradicted, unjudged
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Folder mode: image files, directories, or - (as proctor analyze).")
    var paths: [String] = []

    @Option(help: "The service's PostgreSQL URL (default: $PROCTOR_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "The service's media root (Django MEDIA_ROOT) holding the stored images.")
    var mediaRoot: String?

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

    @Option(name: .shortAndLong, help: "Parallel analysis threads (unless given: one per core).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Images claimed per batch; Ctrl-C waits for the current batch.")
    var batchSize = 64

    @Option(help: "Seconds a claimed batch stays leased; a crashed worker's batch is claimed again after it.")
    var lease: Double = 600

    @Option(help: "This worker's name in the queue (default: host-pid).")
    var workerID: String?

    @Flag(help: "Print the summary of the findings for this pipeline version and exit.")
    var summary = false

    @Option(help: "Write this pipeline version's findings to stdout as csv or jsonl and exit.")
    var export: ExportFormat?

    @Option(help: "With --export: only findings with this outcome (confirmed, contradicted, unjudged).")
    var outcome: Outcome?

    @Option(help: "With --summary or --export: another pipeline version than the current one.")
    var pipelineVersion: String?

    @Flag(name: .shortAndLong, help: "Folder mode: descend into subdirectories.")
    var recursive = false

    @Option(help: "Folder mode: jsonl or table (as proctor analyze).")
    var format: Analyze.Format?

    @Flag(help: "Folder mode: add per-stage milliseconds to each JSON line.")
    var timings = false

    @OptionGroup var tuning: VisionOptions

    private var effectiveDatabaseURL: String? {
        databaseURL ?? ProcessInfo.processInfo.environment["PROCTOR_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    mutating func validate() throws {
        try VisionOptions.validate(jobs: jobs)
        try tuning.validate()
        if !paths.isEmpty {
            if databaseURL != nil || mediaRoot != nil || summary || export != nil {
                throw ValidationError("give PATH... (folder mode) or --database-url with --media-root, not both")
            }
            return
        }
        guard effectiveDatabaseURL != nil else {
            throw ValidationError("give --database-url URL (or set PROCTOR_DATABASE_URL), or PATH... for folder mode")
        }
        guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be in 1...100000") }
        guard lease >= 1, lease <= 86_400 else { throw ValidationError("--lease must be in 1...86400 seconds") }
        if summary, export != nil { throw ValidationError("give --summary or --export, not both") }
        if outcome != nil, export == nil { throw ValidationError("--outcome only applies with --export") }
        if pipelineVersion != nil, !summary, export == nil { throw ValidationError("--pipeline-version only applies with --summary or --export") }
        if !summary, export == nil, mediaRoot == nil { throw ValidationError("--database-url needs --media-root DIR") }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimestampArgument.parse(value) == nil {
                throw ValidationError("\(name) must be an ISO 8601 date or timestamp, got \(value)")
            }
        }
        if format != nil || recursive || timings { throw ValidationError("--format, --recursive and --timings are for folder mode") }
    }

    func run() throws {
        guard paths.isEmpty else { return try runFolderMode() }
        guard let url = effectiveDatabaseURL else { throw ValidationError("give --database-url URL") }
        let logger = global.makeLogger(label: "proctor.reanalyze")
        let factory = try tuning.factory(locator: global.locator, logger: logger, followingSymlinks: false)
        var version = PipelineVersion(pipelineVersion ?? "")
        // Identity findings (each image's main face against the student's registration photo) need
        // MobileFaceNet and YuNet's landmarks; without them the findings simply carry none.
        let identityPolicy = IdentityPolicy()
        let identityModel = factory.faceModelPath == nil ? nil : global.locator.path(for: ModelLocator.embeddingModel)
        if pipelineVersion == nil {
            do {
                version = try PipelineVersion(factory: factory, policy: tuning.policy, identity: identityModel.map { ($0, identityPolicy) })
            } catch {
                throw Failure.configuration(error.description)
            }
        }
        if summary || export != nil { return try report(url: url, version: version) }
        guard let mediaRoot else { throw ValidationError("--database-url needs --media-root DIR") }
        // Stored names are resolved inside the media root by the reanalyzer; the file itself is then
        // opened without following a symlink, so nothing swapped in meanwhile leads out of the root.
        let analyzer = try tuning.makeAnalyzer(factory: factory, jobs: jobs, logger: logger)
        let selection = Selection(
            since: since.flatMap(TimestampArgument.parse), until: until.flatMap(TimestampArgument.parse), eventType: eventType,
            student: student, includeStudentPhotos: includeStudentPhotos)
        let worker = workerID ?? Self.defaultWorkerID()
        let reanalyzer: Reanalyzer
        let remaining: Int
        do {
            var identity: ReferenceComparer?
            if identityModel != nil {
                identity = try ReferenceComparer(
                    factory: factory, locator: global.locator, policy: identityPolicy, minFaceScore: tuning.minFaceScore)
            } else {
                logger.warning("no identity findings: \(ModelLocator.embeddingModel) or the YuNet face model is missing")
            }
            reanalyzer = try Reanalyzer(
                databaseURL: url, analyzer: analyzer, policy: tuning.policy, mediaRoot: mediaRoot,
                queue: WorkQueue(version: version, selection: selection),
                settings: Reanalyzer.Settings(worker: worker, batchSize: batchSize, leaseSeconds: lease), identity: identity)
            remaining = try reanalyzer.prepare()
        } catch {
            throw Self.failure(error)
        }
        logger.notice(
            "reanalyze started",
            metadata: [
                "database": "\(Redaction.redact(url))", "pipeline": "\(version)", "queued": "\(remaining)", "worker": "\(worker)",
                "jobs": "\(jobs)",
            ])
        let stop = StopFlag()
        // The current image finishes, the batch in progress is given back, and the process exits
        // within 10 s of the signal whatever it was doing (a lease left behind runs out): the hard exit
        // comes at 8 s, so a process starved of CPU still makes the promise.
        let watcher = SignalWatcher(exitAfter: 8) { number in
            if stop.raise(number) {
                Terminal.writeError("\nstopping: the batch in progress goes back to the queue (again to quit now)\n")
            } else {
                _exit(128 + number)  // the claimed batch's lease runs out and another worker takes it
            }
        }
        let progress = ReanalysisProgress(total: remaining, bar: Terminal.stderrIsTerminal && !global.quiet, logger: logger)
        let totals: ReanalysisTotals
        do {
            totals = try reanalyzer.run(
                shouldStop: { stop.isRaised }, progress: progress.update,
                waiting: { remaining, expiry in
                    logger.notice(
                        "waiting for other workers' leases",
                        metadata: ["remaining": "\(remaining)", "next_expiry_s": "\(expiry.map { Self.seconds($0) } ?? "?")"])
                })
        } catch {
            progress.finish()
            throw Self.failure(error)
        }
        withExtendedLifetime(watcher) {}
        progress.finish()
        logger.notice(
            "reanalyze finished",
            metadata: [
                "images": "\(totals.processed)", "inserted": "\(totals.inserted)", "analysis_s": "\(Self.seconds(totals.analysisSeconds))",
                "database_s": "\(Self.seconds(totals.databaseSeconds))",
            ])
        print("this run: \(totals.line)")
        if !global.quiet { try report(url: url, version: version) }
        if let reason = totals.stoppedBy { throw Failure.unavailable(reason) }
        if let number = stop.received { throw ExitCode(128 + number) }
    }

    /// Folder mode: the `proctor analyze` command itself, with these options.
    private func runFolderMode() throws {
        var analyze = try Analyze.parse(["--"] + paths)
        analyze.global = global
        analyze.tuning = tuning
        analyze.jobs = jobs
        analyze.recursive = recursive
        analyze.format = format
        analyze.timings = timings
        try analyze.validate()
        try analyze.run()
    }

    /// `--summary` or `--export`: reads the findings of `version`.
    private func report(url: String, version: PipelineVersion) throws {
        let (db, shown) = try ServiceDatabaseConnection.connect(url)
        defer { db.close() }
        do {
            guard try ReanalysisSchema.installedVersion(db) > 0 else {
                throw Failure.configuration("\(shown): no proctor_reanalysis table: run proctor db migrate")
            }
            if let export {
                let writer = OutputWriter()
                let exporter = FindingExporter(format: export == .csv ? .csv : .jsonl)
                try exporter.export(db, version: version.value, outcome: outcome?.rawValue) { writer.write($0) }
                try writer.flush()
            } else {
                print(try ReanalysisSummary.load(db, version: version.value).text(), terminator: "")
            }
        } catch let error as PostgresError {
            throw Failure.unavailable("\(shown): \(error.description)")
        }
    }

    private static func failure(_ error: ReanalysisError) -> Failure {
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

    private static func seconds(_ value: Double) -> String { String(format: "%.2f", value) }
}
