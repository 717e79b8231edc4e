import Foundation
import Logging
import ProctorReanalysis

/// Progress of a reanalysis run: a bar with rate and ETA on a terminal, a log line every 10 s otherwise.
final class ReanalysisProgress {
    private let bar: ProgressBar?
    private let logger: Logger
    private let total: Int
    private let start = Date()
    private var lastLog = Date()
    private var shown = 0

    init(total: Int, bar: Bool, logger: Logger) {
        self.total = total
        self.logger = logger
        self.bar = bar ? ProgressBar(total: total, label: "reanalyze") : nil
    }

    func update(_ totals: ReanalysisTotals) {
        let step = totals.processed - shown
        shown = totals.processed
        bar?.advance(by: step)
        let now = Date()
        guard bar == nil, now.timeIntervalSince(lastLog) >= 10 else { return }
        lastLog = now
        let rate = Double(shown) / max(now.timeIntervalSince(start), 0.001)
        let eta = rate > 0 ? Double(max(total - shown, 0)) / rate : 0
        logger.notice(
            "reanalyze progress",
            metadata: [
                "done": "\(shown)", "queued": "\(total)", "rate": "\(String(format: "%.1f", rate))/s",
                "eta": "\(ProgressBar.duration(eta))", "confirmed": "\(totals.confirmed)", "contradicted": "\(totals.contradicted)",
                "unjudged": "\(totals.unjudged)",
            ])
    }

    func finish() { bar?.finish() }
}
