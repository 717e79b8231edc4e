/// Time as the capture code sees it: the clock frames are stamped on, and the waits measured on it
/// (stall timeouts, reconnect backoff, real-time replay). Injected, as the shipper's DeliveryClock is,
/// so tests run capture on the fake camera's virtual time instead of asserting wall-clock windows.
public protocol CaptureClock: Sendable {
    /// Seconds on this clock. For V4L2 cameras it must be the clock their buffers are stamped with.
    func now() -> Double
    /// Lets `seconds` of this clock pass. `wait(s)` blocks for up to `s` real seconds and returns
    /// false once the caller is asked to stop; the result is false when stopped, true otherwise.
    func sleep(_ seconds: Double, waiting wait: (Double) -> Bool) -> Bool
}

/// CLOCK_MONOTONIC, the clock V4L2 drivers stamp buffers with, and real waits.
public struct MonotonicCaptureClock: CaptureClock {
    public init() {}

    public func now() -> Double { MonotonicClock.now }

    public func sleep(_ seconds: Double, waiting wait: (Double) -> Bool) -> Bool { wait(seconds) }
}
