import Foundation
import ProctorCore
import ProctorImaging
import ProctorPostgres
import ProctorVision

/// The batch loop of `proctor reanalyze`: claim a batch → analyse it on `jobs` threads → store the
/// findings and close the batch in one transaction; until the queue is empty or ``run(shouldStop:progress:)`` is told to stop.
///
/// Memory is bounded by the batch size whatever the table size. Stopping happens only between
/// batches or between two images, so an interrupted run leaves no half-written batch (a batch cut short
/// is given back at once); a killed one leaves a lease that expires and is claimed again.
public final class Reanalyzer {
    public struct Settings: Sendable, Hashable {
        /// Images claimed per batch.
        public var batchSize = 64
        /// Seconds a claim holds; a batch must finish well within it.
        public var leaseSeconds = 600.0
        /// This worker's name in `claimed_by` and `analyzed_by`.
        public var worker: String
        /// Longest wait between looks at the queue while other workers hold the remaining rows.
        public var pollSeconds = 2.0
        /// While waiting on other workers' leases, ``Reanalyzer/run(shouldStop:progress:waiting:)`` is told
        /// this often, so a waiting worker is never silent for minutes.
        public var waitReportSeconds = 10.0

        public init(worker: String, batchSize: Int = 64, leaseSeconds: Double = 600) {
            self.worker = worker
            self.batchSize = max(1, batchSize)
            self.leaseSeconds = max(1, leaseSeconds)
        }
    }

    public let queue: WorkQueue
    public let settings: Settings
    private let db: PostgresConnection
    private let analyzer: BatchAnalyzer
    private let policy: VerdictPolicy
    private let agreement: AgreementPolicy
    private let media: MediaRoot
    /// Compares each image's main face with its student's registration photo; nil: no identity findings.
    private let identity: ReferenceComparer?

    /// Connects to the database and checks that the project's tables are migrated.
    public init(
        databaseURL: String, analyzer: BatchAnalyzer, policy: VerdictPolicy, agreement: AgreementPolicy = AgreementPolicy(),
        mediaRoot: String, queue: WorkQueue, settings: Settings, identity: ReferenceComparer? = nil
    ) throws(ReanalysisError) {
        self.identity = identity
        do {
            db = try PostgresConnection(url: databaseURL, statementTimeout: 600_000)
        } catch where error.isConfiguration {
            throw .configuration("\(Redaction.redact(databaseURL)): \(error.description)")
        } catch {
            throw .unavailable("\(Redaction.redact(databaseURL)): \(error.description)")
        }
        self.analyzer = analyzer
        self.policy = policy
        self.agreement = agreement
        self.media = MediaRoot(path: mediaRoot)
        self.queue = queue
        self.settings = settings
        let installed: Int
        do {
            installed = try ReanalysisSchema.installedVersion(db)
        } catch {
            throw Self.failure(error)
        }
        guard installed >= ReanalysisSchema.currentVersion else {
            throw .configuration("the proctor_reanalysis tables are missing or old (version \(installed)): run proctor db migrate")
        }
    }

    deinit { db.close() }

    /// Queues the selection's images that have no finding for this version; returns the rows left to do.
    public func prepare() throws(ReanalysisError) -> Int {
        do {
            try queue.fill(db)
            return try queue.remaining(db)
        } catch {
            throw Self.failure(error)
        }
    }

    /// Works through the queue; `progress` is called after each batch with this worker's totals.
    /// `waiting` is called every ``Settings/waitReportSeconds`` while only other workers' leased rows
    /// are left, with the rows left and the seconds until the next lease runs out.
    public func run(
        shouldStop: () -> Bool, progress: (ReanalysisTotals) -> Void = { _ in },
        waiting: (_ remaining: Int, _ nextExpiry: Double?) -> Void = { _, _ in }
    ) throws(ReanalysisError) -> ReanalysisTotals {
        var totals = ReanalysisTotals()
        var waitReport = WaitReport(interval: settings.waitReportSeconds)
        while !shouldStop() {
            var watch = Date()
            let batch: [StoredImage]
            do {
                batch = try queue.claim(db, worker: settings.worker, limit: settings.batchSize, lease: settings.leaseSeconds)
            } catch {
                throw Self.failure(error)
            }
            totals.databaseSeconds += Date().timeIntervalSince(watch)
            if batch.isEmpty {
                guard try waitForOthers(shouldStop: shouldStop, report: &waitReport, waiting: waiting) else { break }
                continue
            }
            waitReport.reset()
            if let reason = media.unusableReason() {
                do { try queue.release(db, batch) } catch { throw Self.failure(error) }
                totals.mediaRootUnavailable += batch.count
                totals.stoppedBy = reason
                break
            }
            watch = Date()
            let findings: [Finding]
            switch analyze(batch, shouldStop: shouldStop) {
            case .success(let analysed):
                findings = analysed
            case .failure(let failure) where failure == Self.stopped:
                // A stop request mid-batch: nothing of it is stored, the batch goes back at once.
                do { try queue.release(db, batch) } catch { throw Self.failure(error) }
                return totals
            case .failure(let failure):
                // Not the images' fault (a model that does not load, OpenCV failing on a decoded
                // frame): storing "unreadable" would judge them for good. Give the batch back.
                do { try queue.release(db, batch) } catch { throw Self.failure(error) }
                totals.givenBack += batch.count
                totals.stoppedBy = "analysis failed, not because of the images (the batch was given back): \(failure.message)"
                return totals
            }
            totals.analysisSeconds += Date().timeIntervalSince(watch)
            watch = Date()
            do {
                totals.inserted += try FindingStore.commit(findings, done: batch, queue: queue, worker: settings.worker, db: db)
            } catch {
                throw Self.failure(error)
            }
            totals.databaseSeconds += Date().timeIntervalSince(watch)
            totals.batches += 1
            for finding in findings { totals.count(finding.judgement) }
            progress(totals)
        }
        return totals
    }

    /// Analyses one batch; every claimed image gets a finding, bad data included, unless the analysis
    /// machinery itself failed.
    func analyze(_ batch: [StoredImage], shouldStop: () -> Bool = { false }) -> Result<[Finding], VisionError> {
        var findings: [Finding?] = Array(repeating: nil, count: batch.count)
        var paths: [String] = []
        var slots: [Int] = []
        for (index, image) in batch.enumerated() {
            guard let stored = image.relativePath else {
                findings[index] = failed(image, "the image row was deleted", .rowDeleted)
                continue
            }
            guard let path = media.path(for: stored) else {
                findings[index] = failed(image, "path outside the media root", .unreadable)
                continue
            }
            guard FileManager.default.fileExists(atPath: path) else {
                findings[index] = failed(image, "missing file", .missingFile)
                continue
            }
            switch media.resolve(path) {
            case .inside(let real):
                paths.append(real)
                slots.append(index)
            case .outside:
                findings[index] = failed(image, "a symbolic link out of the media root (not read)", .unreadable)
            case .missing:
                findings[index] = failed(image, "missing file", .missingFile)
            }
        }
        var infrastructure: VisionError?
        if !paths.isEmpty {
            analyzer.run(paths) { position, result in
                let index = slots[position]
                let image = batch[index]
                if case .failure(let error) = result.outcome, error.isWorkerFault {
                    infrastructure = error
                    return false
                }
                if shouldStop() {
                    infrastructure = Self.stopped
                    return false
                }
                var record = AnalysisRecord(result: result, policy: policy)
                record.image = image.relativePath ?? record.image
                if record.error != nil {
                    findings[index] = Finding(image: image, record: record, judgement: .cannotJudge(.unreadable))
                } else {
                    let verdicts = (record.verdicts ?? []).compactMap(Verdict.init(rawValue:))
                    var judgement: Judgement =
                        image.eventExists
                        ? agreement.judge(eventType: image.eventType ?? "", objects: image.detectedObjects, verdicts: verdicts)
                        : .cannotJudge(.eventDeleted)
                    let compared = image.studentPhoto.flatMap { photo in
                        identity?.compare(imagePath: paths[position], record: record, studentPhoto: photo, media: media)
                    }
                    // A different_person event is judged by the identity finding, not by the verdicts.
                    if image.eventExists,
                        ServiceVocabulary.episodeType(eventType: image.eventType ?? "", objects: image.detectedObjects) == .differentPerson
                    {
                        judgement = compared?.match.map { $0 ? .contradicts : .confirms } ?? .cannotJudge(.identityUnknown)
                    }
                    findings[index] = Finding(image: image, record: record, judgement: judgement, identity: compared)
                }
                return true
            }
        }
        if let infrastructure { return .failure(infrastructure) }
        var complete: [Finding] = []
        for index in batch.indices {
            guard let finding = findings[index] else { return .failure(VisionError("analysis did not run", kind: .engineFailure)) }
            complete.append(finding)
        }
        return .success(complete)
    }

    /// Marks an analysis cut short by a stop request.
    static let stopped = VisionError("stopped", kind: .engineFailure)

    private func failed(_ image: StoredImage, _ message: String, _ problem: Judgement.Problem) -> Finding {
        let result = ImageResult(path: image.relativePath ?? "", outcome: .failure(VisionError(message)), milliseconds: 0)
        return Finding(image: image, record: AnalysisRecord(result: result, policy: policy), judgement: .cannotJudge(problem))
    }

    /// With nothing claimable: false when the queue is finished, true after waiting for a lease to end.
    private func waitForOthers(
        shouldStop: () -> Bool, report: inout WaitReport, waiting: (Int, Double?) -> Void
    ) throws(ReanalysisError) -> Bool {
        let remaining: Int
        let expiry: Double?
        do {
            remaining = try queue.remaining(db)
            expiry = try queue.secondsToNextExpiry(db)
        } catch {
            throw Self.failure(error)
        }
        guard remaining > 0 else { return false }
        if report.due() { waiting(remaining, expiry) }
        let deadline = Date().addingTimeInterval(min(max(expiry ?? 0, 0.05) + 0.05, settings.pollSeconds))
        while Date() < deadline, !shouldStop() { Thread.sleep(forTimeInterval: 0.05) }
        return true
    }

    private static func failure(_ error: PostgresError) -> ReanalysisError {
        switch error.kind {
        case .configuration: .configuration("postgres: \(error.description)")
        case .rejectedData, .transient: .unavailable("postgres: \(error.description)")
        }
    }
}

/// When to tell that a worker is waiting: at the first wait, then every `interval` seconds.
struct WaitReport {
    let interval: Double
    private var last: Date?

    init(interval: Double) { self.interval = interval }

    mutating func due(now: Date = Date()) -> Bool {
        if let last, now.timeIntervalSince(last) < interval { return false }
        last = now
        return true
    }

    mutating func reset() { last = nil }
}
