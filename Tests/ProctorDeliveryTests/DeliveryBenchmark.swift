import ProctorDatabaseTestSupport
import Foundation
import ProctorDelivery
import ProctorOutbox
import ProctorTestSupport
import Testing
import ProctorPostgres

/// Episodes per second delivered over loopback, printed rather than asserted: scripts/bench-delivery
/// turns it on with PROCTOR_BENCH_DELIVERY=1; an ordinary test run skips it.
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["PROCTOR_BENCH_DELIVERY"] == "1",
        "a benchmark: scripts/bench-delivery runs it (PROCTOR_BENCH_DELIVERY=1)"))
struct DeliveryBenchmark {
    private let count = Int(ProcessInfo.processInfo.environment["PROCTOR_BENCH_EPISODES"] ?? "") ?? 300

    @Test func postgres() async throws {
        let database = try TestDatabase()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try DeliveryFixture.fill(outbox, sessions: 3, perSession: count / 3)
        let sink = PostgresSink(configuration: PostgresConfiguration(url: database.url, mediaRoot: directory.url.path))
        try await report("postgres", outbox: outbox, sink: sink)
    }

    @Test func api() async throws {
        let service = try FakeProctoringService()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try DeliveryFixture.fill(outbox, sessions: 3, perSession: count / 3)
        let sink = APISink(configuration: APIConfiguration(baseURL: service.baseURL))
        try await report("api", outbox: outbox, sink: sink)
        #expect(service.events.count == count / 3 * 3)
    }

    private func report(_ name: String, outbox: Outbox, sink: any DeliverySink) async throws {
        let started = Date()
        let result = await Shipper(outbox: outbox, sink: sink).drain()
        let seconds = Date().timeIntervalSince(started)
        #expect(result.isComplete)
        let rate = Double(result.delivered) / seconds
        print(
            "bench-delivery: \(name): \(result.delivered) episodes (1280x720 JPEG evidence) in "
                + String(format: "%.2f s = %.1f episodes/s", seconds, rate))
    }
}
