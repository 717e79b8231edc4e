import Foundation

/// Consecutive transient failures per exam session and when each may be retried.
///
/// Keyed by session because delivery is ordered per session: a session whose head episode failed
/// must wait, while other sessions keep flowing.
struct SessionBackoff {
    private(set) var failures: [String: Int] = [:]
    private(set) var retryAt: [String: Date] = [:]
    /// Sessions a one-shot drain stopped retrying (their episodes stay pending).
    private(set) var abandoned: Set<String> = []

    func isWaiting(_ session: String, now: Date) -> Bool {
        abandoned.contains(session) || (retryAt[session].map { $0 > now } ?? false)
    }

    mutating func succeeded(_ session: String) {
        failures[session] = nil
        retryAt[session] = nil
    }

    /// Records a failure; returns the count of consecutive failures.
    @discardableResult
    mutating func failed(_ session: String, now: Date, policy: RetryPolicy, unit: Double, atLeast: Double = 0) -> Int {
        let count = (failures[session] ?? 0) + 1
        failures[session] = count
        retryAt[session] = now.addingTimeInterval(max(policy.delay(afterFailures: count, unit: unit), atLeast))
        return count
    }

    mutating func abandon(_ session: String) { abandoned.insert(session) }

    /// The earliest retry among sessions not abandoned.
    func earliestRetry(among sessions: Set<String>) -> Date? {
        sessions.filter { !abandoned.contains($0) }.compactMap { retryAt[$0] }.min()
    }
}
