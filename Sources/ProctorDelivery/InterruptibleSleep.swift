import Synchronization

/// The shipper's pauses: a sleep on its ``DeliveryClock`` that ``interrupt()`` ("new episodes
/// arrived", "stop") cuts short. An interrupt while nobody sleeps ends the next sleep at once, so a
/// wake-up that comes just before the sleep is not lost.
///
/// Each sleep is a task of its own, and an interrupt cancels it. Not an `AsyncStream` of wake-ups
/// raced against the sleep: cancelling the race's loser, a task waiting in the stream's `next()`,
/// finishes the stream for good; and a stream allows one waiter at a time where a drain and the
/// background loop may both sleep.
final class InterruptibleSleep: Sendable {
    private struct State {
        var interruptPending = false
        var sleepers: [Int: Task<Void, Never>] = [:]
        var nextSleeper = 0
    }

    private let state = Mutex(State())

    /// Sleeps `seconds` on `clock`, or less when interrupted or when the calling task is cancelled.
    func sleep(seconds: Double, on clock: any DeliveryClock) async {
        let registered = state.withLock { state -> (id: Int, task: Task<Void, Never>)? in
            if state.interruptPending {
                state.interruptPending = false
                return nil
            }
            let id = state.nextSleeper
            state.nextSleeper += 1
            let task = Task { await clock.sleep(seconds: seconds) }
            state.sleepers[id] = task
            return (id, task)
        }
        guard let (id, sleeper) = registered else { return }
        await withTaskCancellationHandler {
            await sleeper.value
        } onCancel: {
            sleeper.cancel()
        }
        _ = state.withLock { $0.sleepers.removeValue(forKey: id) }
    }

    /// Ends every sleep in progress, or, when there is none, the next one.
    func interrupt() {
        let sleepers = state.withLock { state -> [Task<Void, Never>] in
            if state.sleepers.isEmpty { state.interruptPending = true }
            defer { state.sleepers.removeAll() }
            return Array(state.sleepers.values)
        }
        for sleeper in sleepers { sleeper.cancel() }
    }
}
