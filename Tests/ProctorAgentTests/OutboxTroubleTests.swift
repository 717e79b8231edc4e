import Foundation
import ProctorAgent
import ProctorCapture
import ProctorCore
import ProctorOutbox
import ProctorTestSupport
import Synchronization
import Testing

/// A monitor whose outbox stays locked by another process: it carries on while the fault may pass,
/// and gives up (throws) only once the fault has lasted ``MonitorSession/OutboxRetry/giveUpAfter``.
@Suite(.requiresModels)
struct OutboxTroubleTests {
    @Test func aPersistentFaultEndsTheSessionOnlyAfterTheGiveUpTime() async throws {
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.demo(in: folder)
        let path = folder.path("outbox.sqlite")
        let outbox = try Outbox(path: path)
        // Virtual wall time: each frame moves it 2 s; only SQLite's busy timeout (5 s) is real.
        let clock = Mutex(Date(timeIntervalSince1970: 1_900_000_000))
        let settings = MonitorSettings()
        let session = try MonitorSession(
            identity: .init(studentID: "s-stuck"), settings: settings,
            pipeline: try TestAssets.factory(configuration: settings.vision).makePipeline(), outbox: outbox, live: false,
            outboxRetry: .init(giveUpAfter: 5, firstDelay: 0.5, maxDelay: 1), now: { clock.withLock { $0 } },
            sleep: { seconds in clock.withLock { $0 = $0.addingTimeInterval(seconds) } })
        try session.start()

        // Another process takes the write lock and keeps it.
        let holder = try SQLiteLockHolder(database: path, holdFor: 3600)
        defer { holder.kill() }

        let sampler = try FrameSampler(source: ImageDirectorySource(directory: clip, fps: 2), options: .init(fps: 2))
        var handled = 0
        var failure: (any Error)?
        for await event in sampler.events {
            guard case .frame = event else { continue }
            do {
                try session.handle(event)
                handled += 1
            } catch {
                failure = error
                sampler.stop()
                break
            }
            clock.withLock { $0 = $0.addingTimeInterval(2) }
        }
        // Failing writes at 0, 2 and 4 s are ridden out; the one at 6 s (fault ≥ 5 s) ends it.
        let error = try #require(failure as? OutboxError, "the session never gave up")
        #expect(error.description.contains("writes have failed for 6 s"), "\(error)")
        #expect(handled == 3)
    }
}
