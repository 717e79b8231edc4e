import Synchronization

/// How a long-running command is being stopped: by which signal, and whether a second one asked it to hurry.
///
/// In `proctor monitor` the first SIGINT/SIGTERM/SIGHUP starts the ordered shutdown (stop capture, close the episodes and the
/// session, one final delivery pass). A second one escalates: a source stuck in a read is left behind
/// at once and the final delivery pass is skipped, but the session is still closed.
public final class StopRequest: Sendable {
    private struct State {
        var first: Int32?
        var escalation: Int32?
    }

    private let state = Mutex(State())

    public init() {}

    /// Records a stop signal; returns true when it is the first.
    @discardableResult
    public func record(_ signal: Int32) -> Bool {
        state.withLock { state in
            guard state.first != nil else {
                state.first = signal
                return true
            }
            if state.escalation == nil { state.escalation = signal }
            return false
        }
    }

    /// The signal that started the stop, if one did.
    public var firstSignal: Int32? { state.withLock { $0.first } }

    /// The second signal, if one came: shutdown hurries and the run ends with 128 + its number.
    public var escalation: Int32? { state.withLock { $0.escalation } }

    public var isEscalated: Bool { escalation != nil }
}
