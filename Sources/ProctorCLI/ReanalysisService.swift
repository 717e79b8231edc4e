import Logging
import ProctorAgent
import ProctorReanalysis
import ServiceLifecycle
import Synchronization

/// `proctor reanalyze run`'s batch loop as a service. The loop blocks (analysis threads, database
/// round trips), so it runs on a queue of its own, not on the cooperative pool; a stop request ends it
/// between two images, with the batch in progress given back to the queue.
final class ReanalysisService: Service, @unchecked Sendable {
    // @unchecked: `reanalyzer` and `progress` are not thread-safe; they are used only by the one run on `work`.
    private let reanalyzer: Reanalyzer
    private let progress: ReanalysisProgress
    private let stop: StopRequest
    private let logger: Logger
    private let work = BlockingWork(label: "proctor-reanalysis")
    /// The run's totals once it returned.
    let totals = Mutex<ReanalysisTotals?>(nil)

    init(reanalyzer: Reanalyzer, stop: StopRequest, progress: ReanalysisProgress, logger: Logger) {
        self.reanalyzer = reanalyzer
        self.stop = stop
        self.progress = progress
        self.logger = logger
    }

    func run() async throws {
        let result = try await work.run { [self] in
            try reanalyzer.run(
                shouldStop: { stop.firstSignal != nil }, progress: progress.update,
                waiting: { remaining, expiry in
                    logger.notice(
                        "waiting for other workers' leases",
                        metadata: ["remaining": "\(remaining)", "next_expiry_s": "\(expiry.map { Reanalyze.seconds($0) } ?? "?")"])
                })
        }
        totals.withLock { $0 = result }
    }
}
