import ArgumentParser
import Foundation
import ProctorCore
import ProctorImaging
import ProctorVision

/// `proctor analyze`: the vision pipeline over stored images.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyze stored images: faces, landmarks, head pose, phones, persons, frame quality.",
        discussion: """
            Writes one JSON object per image (--format jsonl, the default when stdout is not a terminal) or a \
            table (the default on a terminal), then a summary. Unreadable or invalid images get an "error" \
            entry (with "error_kind": bad_input, model_unavailable or engine_failure) and never stop the run.
            Example: proctor analyze photos/ --format table
            \(ExitStatus.line([(0, "every image analysed"), (1, "some images failed"), (64, nil), (70, "the engine failed on an image"), (74, nil), (78, "models or libProctorCVIO.so cannot be loaded")]))
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, table
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Image files, directories, or - to read paths from stdin (one per line).")
    var paths: [String]

    @Flag(name: .shortAndLong, help: "Descend into subdirectories.")
    var recursive = false

    @Option(help: "Output format: jsonl or table (default: jsonl when piped, table on a terminal).")
    var format: Format?

    @Option(name: .shortAndLong, help: "Parallel jobs (default: one per core).")
    var jobs: Int?

    @OptionGroup var tuning: VisionOptions

    @Option(help: "The registered student's photo (exactly one clear face): each face gets its similarity to it and a match.")
    var reference: String?

    @Flag(help: "Add per-stage milliseconds (decode, faces, pose, objects, quality, OpenCV, total) to each JSON line.")
    var timings = false

    mutating func validate() throws {
        if let jobs { try VisionOptions.validate(jobs: jobs) }
        guard !paths.isEmpty else { throw ValidationError("give at least one image, directory or -") }
        try tuning.validate()
    }

    func run() throws {
        let logger = global.makeLogger(label: "proctor.analyze")
        let identityPolicy = IdentityPolicy()
        var factory = try tuning.factory(locator: global.locator, logger: logger)
        let identity = try reference.map {
            try ReferencePhoto.settings(
                path: $0, factory: factory, locator: global.locator, policy: identityPolicy,
                minFaceScore: tuning.minFaceScore, scope: .everyFace)
        }
        factory.identity = identity
        let inputs = InputPaths.expand(paths, recursive: recursive)
        guard !inputs.isEmpty else { throw ValidationError("no images found in \(paths.joined(separator: " "))") }
        let analyzer = try tuning.makeAnalyzer(factory: factory, jobs: jobs ?? BatchAnalyzer.defaultJobs(for: factory.backend), logger: logger)
        let format = format ?? (Terminal.stdoutIsTerminal ? .table : .jsonl)
        let policy = tuning.policy
        var summary = AnalysisSummary()
        // Located afresh: the factory in hand has already dropped the unusable models' paths.
        if tuning.allowDegraded { summary.degraded = VisionPipelineFactory(configuration: factory.configuration, locator: global.locator).degradations() }
        let writer = OutputWriter(writesThrough: true)
        let table = TableFormatter(identity: identity != nil)
        let progress = ProgressBar(total: inputs.count, label: "analyze", enabled: Terminal.stderrIsTerminal && !global.quiet)
        if format == .table { writer.write(table.header()) }
        analyzer.run(inputs) { _, result in
            let record = AnalysisRecord(result: result, policy: policy, identity: identityPolicy, includeTimings: timings)
            summary.add(record)
            switch format {
            case .jsonl: writer.write(record.jsonLine())
            case .table: writer.write(table.row(record))
            }
            progress.advance()
            return !writer.failed  // nobody reads the results any more: stop
        }
        progress.finish()
        switch format {
        case .jsonl: writer.write(summary.jsonLine())
        case .table: writer.write(summary.text())
        }
        try writer.flush()
        logger.info("analyzed", metadata: ["images": "\(summary.images)", "failed": "\(summary.failures)"])
        if summary.exitStatus != 0 {
            if let line = summary.errorLine { Terminal.writeError("error: \(line)\n") }
            throw ExitCode(summary.exitStatus)
        }
    }
}
