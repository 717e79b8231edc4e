import Foundation
import ProctorCapture
import ProctorImaging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A source stuck inside a system call that never returns (a hung device or network read) cannot be
/// interrupted: stopping must still end the consumer's events in bounded time.
struct StuckSourceTests {
    @Test func stopLeavesAStuckCaptureThreadBehindAfterTheTimeout() async throws {
        let source = try StuckSource()
        defer { source.release() }
        let sampler = try FrameSampler(source: source, options: .init(fps: 2))
        try #require(source.entered.wait(seconds: 10), "the capture thread never reached the blocking read")
        let started = ContinuousClock.now
        sampler.stop(waitingAtMost: 0.2)
        let waited = ContinuousClock.now - started
        // Generous bound: the point is that it returns at all while the read is still blocked.
        #expect(waited < .seconds(5), "stop took \(waited)")
        var events = 0
        for await _ in sampler.events { events += 1 }
        #expect(events == 0, "a stuck source produced \(events) events")
        // Stopping again returns at once: the thread stays abandoned.
        let again = ContinuousClock.now
        sampler.stop(waitingAtMost: 5)
        #expect(ContinuousClock.now - again < .seconds(1))
    }
}

/// Blocks in read(2) on a pipe nobody writes to, ignoring the stop check, until ``release()``.
private final class StuckSource: FrameSource, @unchecked Sendable {
    let isLive = true
    let description = "a source stuck in read(2)"
    let entered = EnteredFlag()
    private let readEnd: Int32
    private let writeEnd: Int32

    init() throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw CaptureError(.failed, "pipe failed") }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    func open() throws(CaptureError) {}

    func grab(until stopped: () -> Bool) throws(CaptureError) -> Double? {
        entered.set()
        var byte: UInt8 = 0
        _ = read(readEnd, &byte, 1)
        return nil
    }

    func retrieve() throws(CaptureError) -> Image { throw CaptureError(.failed, "never") }

    func close() {}

    /// Lets the blocked read return, so the abandoned thread ends when the test does.
    func release() { Glibc.close(writeEnd) }
}

/// A one-way flag a test thread can wait on with a deadline.
private final class EnteredFlag: @unchecked Sendable {
    private let condition = NSCondition()
    private var isSet = false

    func set() {
        condition.lock()
        isSet = true
        condition.broadcast()
        condition.unlock()
    }

    func wait(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while !isSet, condition.wait(until: deadline) {}
        return isSet
    }
}
