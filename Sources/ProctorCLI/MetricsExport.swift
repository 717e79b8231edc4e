import Foundation
import Logging
import Metrics
import Prometheus
import ProctorImaging
import ProctorOutbox
import Synchronization

/// The CLI's end of metrics: bootstraps swift-metrics with the Prometheus backend (the libraries only
/// count through swift-metrics) and publishes the registry on a loopback port and/or a textfile.
final class MetricsExport: Sendable {
    static let outboxPending = "proctor_outbox_pending_episodes"
    static let outboxFailed = "proctor_outbox_failed_episodes"
    /// Seconds between textfile rewrites.
    static let fileInterval = 5.0

    private let registry: PrometheusCollectorRegistry
    private let listener: MetricsHTTPListener?
    private let url: String?
    private let filePath: String?
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let fileLoopDone = DispatchSemaphore(value: 0)
    private let lastFileError = Mutex<String?>(nil)

    /// The actual HTTP port (when serving), for the startup log line.
    var port: UInt16? { listener?.port }

    /// Bootstraps the backend (once per process) and opens the listener; nothing runs until ``start()``.
    init(options: MetricsOptions, logger: Logger) throws {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        self.logger = logger
        filePath = options.metricsFile
        if let endpoint = try options.endpoint() {
            let listener = try MetricsHTTPListener(endpoint: endpoint) { registry.emitToString() }
            var bound = endpoint
            bound.port = listener.port
            self.listener = listener
            url = "http://\(bound)/metrics"
        } else {
            listener = nil
            url = nil
        }
    }

    func start() {
        listener?.start()
        if let listener, let url {
            logger.notice("metrics served", metadata: ["url": "\(url)", "port": .stringConvertible(Int(listener.port))])
        }
        guard filePath != nil else { return }
        writeFile()
        let thread = Thread { [self] in
            var written = Date()
            // Short naps, so a stop never waits a whole interval.
            while !stopping.load(ordering: .sequentiallyConsistent) {
                Thread.sleep(forTimeInterval: 0.2)
                if Date().timeIntervalSince(written) >= Self.fileInterval {
                    writeFile()
                    written = Date()
                }
            }
            fileLoopDone.signal()
        }
        thread.name = "proctor-metrics-file"
        thread.start()
    }

    /// Counts the outbox's pending and failed episodes into their gauges.
    static func record(_ counts: DeliveryStateCounts) {
        Gauge(label: outboxPending).record(counts.pending)
        Gauge(label: outboxFailed).record(counts.failed)
    }

    /// Stops serving and writes the textfile one last time, so it holds the final totals.
    func stop() {
        guard !stopping.exchange(true, ordering: .sequentiallyConsistent) else { return }
        listener?.stop()
        if filePath != nil {
            fileLoopDone.wait()
            writeFile()
        }
    }

    private func writeFile() {
        guard let filePath else { return }
        // World-readable on purpose: node_exporter runs as its own user, and these are counts, no secrets.
        do {
            try AtomicFile.write(Data(registry.emitToString().utf8), to: filePath, mode: 0o644)
            lastFileError.withLock { $0 = nil }
        } catch {
            let message = error.description
            let changed = lastFileError.withLock { last -> Bool in
                defer { last = message }
                return last != message
            }
            if changed { logger.warning("cannot write the metrics file", metadata: ["error": "\(message)"]) }
        }
    }
}
