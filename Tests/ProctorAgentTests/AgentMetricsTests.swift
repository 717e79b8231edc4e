import Foundation
import Metrics
import ProctorAgent
import ProctorCapture
import ProctorOutbox
import ProctorTestSupport
import Prometheus
import Testing

/// What the monitor session counts through swift-metrics, read back from a real Prometheus registry.
@Suite(.requiresModels)
struct AgentMetricsTests {
    /// swift-metrics takes one backend per process: bootstrapped on first use by this suite.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    static func value(_ series: String) -> Double {
        registry.emitToString().split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
    }

    @Test func cameraLossAndFramesAreCounted() async throws {
        _ = Self.registry
        let folder = try TemporaryDirectory()
        let outbox = try Outbox(path: folder.path("outbox.sqlite"))
        let settings = MonitorSettings()
        let session = try MonitorSession(
            identity: .init(studentID: "s-1"), settings: settings,
            pipeline: try TestAssets.factory(configuration: settings.vision).makePipeline(), outbox: outbox, live: true)
        try session.start()
        let lostBefore = Self.value(AgentMetrics.cameraLost)
        let framesBefore = Self.value(AgentMetrics.framesAnalysed)
        let clip = folder.path("clip")
        try FileManager.default.createDirectory(atPath: clip, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: clip + "/f1.jpg", withDestinationPath: TestAssets.photo("person.jpg"))
        let sampler = try FrameSampler(source: ImageDirectorySource(directory: clip, fps: 2), options: .init(fps: 2))
        for await event in sampler.events { try session.handle(event) }
        try session.handle(.lost(at: 1, reason: "unplugged"))
        try session.handle(.restored(at: 9))
        try session.finish()
        #expect(Self.value(AgentMetrics.cameraLost) >= lostBefore + 1)
        #expect(Self.value(AgentMetrics.framesAnalysed) >= framesBefore + 1)
        #expect(Self.value(AgentMetrics.analysisSeconds + "_count") >= 1)
    }
}
