import Foundation

/// Exponential backoff with jitter for transient failures.
///
/// The n-th consecutive failure waits `min(maxDelay, baseDelay * 2^(n-1))`, of which the upper
/// `jitter` fraction is random: with many agents behind one outage, equal delays would make them all
/// retry in the same instant when the service comes back.
public struct RetryPolicy: Sendable, Hashable {
    public var baseDelay: Double
    public var maxDelay: Double
    /// 0 = no randomness, 1 = anywhere between 0 and the full delay.
    public var jitter: Double
    /// Consecutive transient failures after which a one-shot drain gives up on an exam session
    /// (nil: never, as in the monitor). The episodes stay pending for the next run.
    public var maxAttempts: Int?

    public init(baseDelay: Double = 0.5, maxDelay: Double = 60, jitter: Double = 0.5, maxAttempts: Int? = nil) {
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
        self.jitter = min(1, max(0, jitter))
        self.maxAttempts = maxAttempts
    }

    /// Seconds to wait after `failures` consecutive failures (>= 1); `unit` is a random number in 0...1.
    public func delay(afterFailures failures: Int, unit: Double) -> Double {
        let exponent = Double(min(max(failures, 1) - 1, 62))
        let full = min(maxDelay, baseDelay * pow(2, exponent))
        let random = min(1, max(0, unit.isFinite ? unit : 1))
        return full * (1 - jitter) + full * jitter * random
    }
}
