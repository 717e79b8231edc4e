import Dispatch
import Synchronization

/// A serial queue for blocking work (inference, SQLite commits and their fsyncs; the shipper has an
/// executor of its own), so it runs on a thread of its own and never occupies Swift's cooperative pool,
/// whose few threads must stay free for signals, timers and the service group.
public final class BlockingWork: Sendable {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    /// Runs `work` on the queue and returns its result; the awaiting task waits without blocking a thread.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// A continuation resumed by whichever of several racing parties comes first; the others are ignored.
/// A value that arrives before the continuation is armed is kept and handed over on arming.
final class ResumeOnce<T: Sendable>: Sendable {
    private enum State {
        case waiting(CheckedContinuation<T, Never>?)
        case early(T)
        case done
    }

    private let state = Mutex(State.waiting(nil))

    func arm(_ continuation: CheckedContinuation<T, Never>) {
        let early = state.withLock { state -> T? in
            guard case .early(let value) = state else {
                state = .waiting(continuation)
                return nil
            }
            state = .done
            return value
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(returning value: T) {
        let waiting = state.withLock { state -> CheckedContinuation<T, Never>? in
            switch state {
            case .waiting(let continuation?):
                state = .done
                return continuation
            case .waiting(nil):
                state = .early(value)
                return nil
            case .early, .done:
                return nil
            }
        }
        waiting?.resume(returning: value)
    }
}
