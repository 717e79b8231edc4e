import Foundation

/// Time as the shipper sees it; injected so backoff can be tested without real waiting.
public protocol DeliveryClock: Sendable {
    func now() -> Date
    /// Suspends for `seconds`, or less when the calling task is cancelled (that is how the shipper
    /// is woken early, see ``InterruptibleSleep``). Never throws: an interrupted sleep just ends.
    func sleep(seconds: Double) async
    /// A random number in 0...1 for backoff jitter.
    func random() -> Double
}

/// The wall clock, real sleeps and the system random generator.
public struct SystemDeliveryClock: DeliveryClock {
    /// Longer sleeps are cut to this (about 31 years): `Duration` traps on absurd values such as 1e30.
    private static let longestSleep = 1e9

    public init() {}

    public func now() -> Date { Date() }

    public func sleep(seconds: Double) async {
        guard seconds > 0 else { return }  // also NaN
        try? await Task.sleep(for: .seconds(min(seconds, Self.longestSleep)))
    }

    public func random() -> Double { Double.random(in: 0...1) }
}
