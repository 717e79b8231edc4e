import Dispatch
import Synchronization

/// A serial queue for blocking work (inference, SQLite commits and their fsyncs, the shipper's
/// network calls), so it runs on a thread of its own and never occupies Swift's cooperative pool,
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

    /// Runs `work` on the queue; returns its result, or nil when `seconds` pass first. The work is then
    /// left to finish (or stay stuck in a system call) on its own: the caller's deadline holds either way.
    public func run<T: Sendable>(within seconds: Double, _ work: @escaping @Sendable () -> T) async -> T? {
        await run(within: seconds, racing: ResumeOnce<T?>(), work)
    }

    /// As ``run(within:_:)`` (no deadline when `seconds` is nil), and a third party may end the wait
    /// early by resuming `once` with nil.
    func run<T: Sendable>(within seconds: Double?, racing once: ResumeOnce<T?>, _ work: @escaping @Sendable () -> T) async -> T? {
        await withCheckedContinuation { continuation in
            once.arm(continuation)
            queue.async { once.resume(returning: work()) }
            if let seconds {
                DispatchQueue.global().asyncAfter(deadline: .now() + max(0, seconds)) { once.resume(returning: nil) }
            }
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
