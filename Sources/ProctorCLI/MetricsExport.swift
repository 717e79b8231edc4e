import Foundation
import Logging
import Metrics
import Prometheus
import ProctorAgent
import ProctorDelivery
import ProctorImaging
import ProctorOutbox
import ServiceLifecycle
import Synchronization

/// The CLI's end of metrics: bootstraps swift-metrics with the Prometheus backend (the libraries only
/// count through swift-metrics) and publishes the registry on a loopback port and/or a textfile.
///
/// A service in the monitor's group, listed first so it stops last: its final textfile holds the
/// totals of the whole run, the final delivery pass included.
final class MetricsExport: Service, Sendable {
    static let outboxPending = "proctor_outbox_pending_episodes"
    static let outboxFailed = "proctor_outbox_failed_episodes"
    /// Seconds between textfile rewrites.
    static let fileInterval = 5.0

    private let registry: PrometheusCollectorRegistry
    private let listener: MetricsHTTPListener?
    private let url: String?
    private let filePath: String?
    private let logger: Logger
    private let lastFileError = Mutex<String?>(nil)
    private let lastWrite = Mutex(Date.distantPast)
    /// Called just before the last textfile write (the monitor counts its outbox gauges one final time).
    let beforeFinalWrite = Mutex<(@Sendable () -> Void)?>(nil)

    /// The actual HTTP port (when serving), for the startup log line.
    var port: UInt16? { listener?.port }

    /// Bootstraps the backend (once per process) and opens the listener; nothing runs until ``run()``.
    init(options: MetricsOptions, logger: Logger) throws {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        self.logger = logger
        filePath = options.metricsFile
        if let filePath = options.metricsFile {
            // A file that cannot be written at the start is a wrong path (exit 78, like a busy port); one
            // that fails later (a full disk) is logged and the monitor goes on.
            do {
                try AtomicFile.write(Data(registry.emitToString().utf8), to: filePath, mode: 0o644)
            } catch {
                throw Failure.configuration("--metrics-file \(filePath): \(error.description)")
            }
        }
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

    /// Serves scrapes and rewrites the textfile until graceful shutdown, then writes the file once more.
    func run() async throws {
        if let listener, let url {
            logger.notice("metrics served", metadata: ["url": "\(url)", "port": .stringConvertible(Int(listener.port))])
        }
        writeFile()
        let listener = self.listener
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if let listener {
                    // accept() blocks: on a queue of its own, not the cooperative pool.
                    group.addTask { _ = try? await BlockingWork(label: "proctor-metrics").run { listener.serve() } }
                }
                if filePath != nil {
                    group.addTask { [self] in
                        while !Task.isShuttingDownGracefully {
                            // Short naps, so a stop never waits a whole interval.
                            try? await Task.sleep(for: .milliseconds(200))
                            if Task.isShuttingDownGracefully { break }
                            if Date().timeIntervalSince(lastWrite.withLock { $0 }) >= Self.fileInterval { writeFile() }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            listener?.stopAccepting()
        }
        beforeFinalWrite.withLock { $0 }?()
        writeFile()
    }

    /// Counts the outbox's pending and failed episodes into their gauges.
    static func record(_ counts: DeliveryStateCounts) {
        Gauge(label: outboxPending).record(counts.pending)
        Gauge(label: outboxFailed).record(counts.failed)
    }

    private func writeFile() {
        guard let filePath else { return }
        lastWrite.withLock { $0 = Date() }
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
