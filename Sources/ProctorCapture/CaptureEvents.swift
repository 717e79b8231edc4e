import Foundation

/// The single-consumer stream of a ``FrameSampler``'s events.
///
/// Holds at most one frame: a newer frame replaces an unread one (never queueing latency), while
/// lost/restored/ended events are never dropped. Replays that must not drop frames make the capture
/// thread wait instead (``Channel/send(_:mode:)`` with `.wait`).
public struct CaptureEvents: AsyncSequence, Sendable {
    public typealias Element = CaptureEvent

    let channel: Channel

    public func makeAsyncIterator() -> Iterator { Iterator(channel: channel) }

    public struct Iterator: AsyncIteratorProtocol {
        let channel: Channel

        /// The next event; nil after the last one or once the consuming task is cancelled.
        public mutating func next() async -> CaptureEvent? { await channel.receive() }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> CaptureEvent? {
            await channel.receive()
        }
    }
}

/// The lock-protected hand-over between the capture thread and the consumer.
final class Channel: @unchecked Sendable {
    enum Mode {
        /// Replace an unread frame (live capture).
        case replace
        /// Wait until the consumer has taken the unread frame (replays).
        case wait
    }

    // All fields below are guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [CaptureEvent] = []
    private var waiter: CheckedContinuation<CaptureEvent?, Never>?
    private var finished = false
    private var cancelled = false
    private var stopping = false
    private var threadEnded = false

    /// Whether ``stop()`` was called or the consumer went away; the capture thread polls this.
    var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping || cancelled
    }

    /// Asks the capture thread to stop and wakes it wherever it waits.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps up to `seconds`; returns false early when stopping.
    func sleep(_ seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: max(0, seconds))
        condition.lock()
        defer { condition.unlock() }
        while !stopping, !cancelled, condition.wait(until: deadline) {}
        return !stopping && !cancelled
    }

    /// Called by the capture thread as its last act.
    func captureThreadEnded() {
        condition.lock()
        threadEnded = true
        condition.broadcast()
        condition.unlock()
    }

    /// A bounded join of the capture thread: true once it has ended, false after `seconds` without.
    func waitForCaptureThread(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: max(0, seconds))
        condition.lock()
        defer { condition.unlock() }
        while !threadEnded, condition.wait(until: deadline) {}
        return threadEnded
    }

    /// Hands an event to the consumer. Frames follow `mode`; other events are always queued.
    func send(_ event: CaptureEvent, mode: Mode = .replace) {
        condition.lock()
        if mode == .wait {
            switch event {
            case .frame: while !stopping, !cancelled, queue.contains(where: \.isFrame) { condition.wait() }
            // A folder of bad files must not queue an event per file ahead of a slow consumer.
            case .skipped: while !stopping, !cancelled, !queue.isEmpty { condition.wait() }
            default: break
            }
        }
        if finished || cancelled {
            condition.unlock()
            return
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: event)
            return
        }
        if event.isFrame, let last = queue.last, last.isFrame {
            queue[queue.count - 1] = event
        } else {
            queue.append(event)
        }
        condition.unlock()
    }

    /// Ends the events for the consumer without waiting for the capture thread, whose later sends are
    /// ignored; queued events are still delivered.
    func abandon() {
        condition.lock()
        stopping = true
        finished = true
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(returning: nil)
    }

    /// Sends the last event; later sends are ignored.
    func finish(with event: CaptureEvent) {
        send(event)
        condition.lock()
        finished = true
        let waiter = self.waiter
        self.waiter = nil
        condition.unlock()
        waiter?.resume(returning: nil)
    }

    func receive() async -> CaptureEvent? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CaptureEvent?, Never>) in
                condition.lock()
                if !queue.isEmpty, !cancelled {
                    let event = queue.removeFirst()
                    condition.broadcast()  // a replay may be waiting for the frame slot
                    condition.unlock()
                    continuation.resume(returning: event)
                } else if finished || cancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            condition.lock()
            cancelled = true
            let waiter = self.waiter
            self.waiter = nil
            condition.broadcast()
            condition.unlock()
            waiter?.resume(returning: nil)
        }
    }
}

extension CaptureEvent {
    var isFrame: Bool {
        if case .frame = self { return true }
        return false
    }
}
