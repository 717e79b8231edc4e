import Foundation
import ProctorCore
import ProctorDelivery
import ProctorVision

/// The batch loop of `proctor reanalyze`: claim a batch → analyse it on `jobs` threads → store the
/// findings and close the batch in one transaction; until the queue is empty or ``run(shouldStop:progress:)`` is told to stop.
///
/// Memory is bounded by the batch size whatever the table size. Stopping happens only between
/// batches, so an interrupted run leaves no half-written batch; a killed one leaves a lease that
/// expires and is claimed again.
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
    private let media: MediaFiles
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
        } catch {
            throw .unavailable("\(Redaction.redact(databaseURL)): \(error.description)")
        }
        self.analyzer = analyzer
        self.policy = policy
        self.agreement = agreement
        self.media = MediaFiles(root: mediaRoot)
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
    public func run(shouldStop: () -> Bool, progress: (ReanalysisTotals) -> Void = { _ in }) throws(ReanalysisError)
        -> ReanalysisTotals
    {
        var totals = ReanalysisTotals()
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
                guard try waitForOthers(shouldStop: shouldStop) else { break }
                continue
            }
            if let reason = media.unusableReason() {
                do { try queue.release(db, batch) } catch { throw Self.failure(error) }
                totals.mediaRootUnavailable += batch.count
                totals.stoppedBy = reason
                break
            }
            watch = Date()
            let findings = analyze(batch)
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

    /// Analyses one batch; every claimed image gets a finding, bad data included.
    func analyze(_ batch: [StoredImage]) -> [Finding] {
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
            paths.append(path)
            slots.append(index)
        }
        if !paths.isEmpty {
            analyzer.run(paths) { position, result in
                let index = slots[position]
                let image = batch[index]
                var record = AnalysisRecord(result: result, policy: policy)
                record.image = image.relativePath ?? record.image
                if record.error != nil {
                    findings[index] = Finding(image: image, record: record, judgement: .cannotJudge(.unreadable))
                } else {
                    let verdicts = (record.verdicts ?? []).compactMap(Verdict.init(rawValue:))
                    var judgement: Judgement =
                        image.eventExists ? agreement.judge(eventType: image.eventType ?? "", verdicts: verdicts) : .cannotJudge(.eventDeleted)
                    let compared = image.studentPhoto.flatMap { photo in
                        identity?.compare(imagePath: paths[position], record: record, studentPhoto: photo, media: media)
                    }
                    // A different_person event is judged by the identity finding, not by the verdicts.
                    if image.eventExists, image.eventType?.lowercased() == EpisodeType.differentPerson.rawValue {
                        judgement = compared?.match.map { $0 ? .contradicts : .confirms } ?? .cannotJudge(.identityUnknown)
                    }
                    findings[index] = Finding(image: image, record: record, judgement: judgement, identity: compared)
                }
                return true
            }
        }
        // A model that failed to load leaves slots empty: those images count as unreadable, not lost.
        return batch.indices.map { findings[$0] ?? failed(batch[$0], "analysis did not run", .unreadable) }
    }

    private func failed(_ image: StoredImage, _ message: String, _ problem: Judgement.Problem) -> Finding {
        let result = ImageResult(path: image.relativePath ?? "", outcome: .failure(VisionError(message)), milliseconds: 0)
        return Finding(image: image, record: AnalysisRecord(result: result, policy: policy), judgement: .cannotJudge(problem))
    }

    /// With nothing claimable: false when the queue is finished, true after waiting for a lease to end.
    private func waitForOthers(shouldStop: () -> Bool) throws(ReanalysisError) -> Bool {
        let remaining: Int
        let expiry: Double?
        do {
            remaining = try queue.remaining(db)
            expiry = try queue.secondsToNextExpiry(db)
        } catch {
            throw Self.failure(error)
        }
        guard remaining > 0 else { return false }
        let deadline = Date().addingTimeInterval(min(max(expiry ?? 0, 0.05) + 0.05, settings.pollSeconds))
        while Date() < deadline, !shouldStop() { Thread.sleep(forTimeInterval: 0.05) }
        return true
    }

    private static func failure(_ error: PostgresError) -> ReanalysisError {
        switch error.sqlState?.prefix(2) {
        case "42", "28", "3D", "3F": .configuration("postgres: \(error.description)")
        default: .unavailable("postgres: \(error.description)")
        }
    }
}
