import Dispatch
import Foundation

/// Turns SIGINT, SIGTERM and SIGHUP (a closed terminal or SSH session) into a callback, so a command
/// can close its work and exit cleanly.
///
/// With `exitAfter`, a stop is bounded: when the process is still running that many seconds after the
/// first signal (stuck in a system call, a hung library), it says so in one line and exits 128+N.
final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "proctor.signals")
    private var armed = false

    init(
        signals: [Int32] = [SIGINT, SIGTERM, SIGHUP], exitAfter grace: Double? = nil,
        handler: @escaping @Sendable (Int32) -> Void
    ) {
        for number in signals {
            signal(number, SIG_IGN)  // the dispatch source, not the default action, decides
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in
                if let grace, !armed {
                    armed = true
                    queue.asyncAfter(deadline: .now() + grace) {
                        Terminal.writeError("error: still running \(Int(grace)) s after \(Self.name(number)); exiting\n")
                        _exit(128 + number)
                    }
                }
                // The handler may wait (a bounded stop): off this queue, so the watchdog fires on time.
                DispatchQueue.global().async { handler(number) }
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit { sources.forEach { $0.cancel() } }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}

/// Makes a write to a closed pipe (stdout piped to `head`, stderr whose reader died) an EPIPE error
/// the writer handles instead of a silent death by SIGPIPE.
enum BrokenPipes {
    static func ignore() { signal(SIGPIPE, SIG_IGN) }
}
