import Foundation
import Synchronization

/// A stop request raised from a signal handler and polled by a loop between units of work.
final class StopFlag: Sendable {
    private let signal = Mutex<Int32?>(nil)

    /// The first signal received, or nil while none was.
    var received: Int32? { signal.withLock { $0 } }

    var isRaised: Bool { received != nil }

    /// Records `number`; returns true when this is the first request.
    @discardableResult
    func raise(_ number: Int32) -> Bool {
        signal.withLock { value in
            guard value == nil else { return false }
            value = number
            return true
        }
    }
}
