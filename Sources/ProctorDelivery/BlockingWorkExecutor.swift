import Dispatch

/// A task executor that runs its jobs on a serial dispatch queue: the shipper's blocking calls
/// (SQLite commits and their fsyncs, libpq, the wait for an HTTP reply) run there, on a thread of
/// its own, and never occupy Swift's cooperative pool, whose few threads must stay free for
/// signals, timers and the service group. Code in ``Shipper`` runs under it through
/// `withTaskExecutorPreference`; its sleeps suspend without holding the thread.
final class BlockingWorkExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
