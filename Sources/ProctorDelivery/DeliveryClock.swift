import Foundation

/// Lets a sleeping shipper be woken early: new episodes arrived, or it is asked to stop.
public final class Wakeup: @unchecked Sendable {
    // NSCondition guards `signalled`; @unchecked because the lock does the synchronising.
    private let condition = NSCondition()
    private var signalled = false

    public init() {}

    /// Wakes the current or the next wait.
    public func signal() {
        condition.lock()
        signalled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until signalled or `seconds` pass; consumes the signal. True when signalled.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: max(0, seconds))
        while !signalled {
            if !condition.wait(until: deadline) { break }
        }
        let woke = signalled
        signalled = false
        return woke
    }
}

/// Time as the shipper sees it; injected so backoff can be tested without real waiting.
public protocol DeliveryClock: Sendable {
    func now() -> Date
    /// Blocks for `seconds` or until `wakeup` is signalled, whichever is first.
    func sleep(seconds: Double, wakeup: Wakeup)
    /// A random number in 0...1 for backoff jitter.
    func random() -> Double
}

/// The wall clock, real sleeps and the system random generator.
public struct SystemDeliveryClock: DeliveryClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(seconds: Double, wakeup: Wakeup) { wakeup.wait(seconds: seconds) }

    public func random() -> Double { Double.random(in: 0...1) }
}
