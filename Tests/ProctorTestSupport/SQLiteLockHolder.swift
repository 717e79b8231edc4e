import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Another program holding an SQLite database's write lock (python3's sqlite3 inside BEGIN IMMEDIATE), as a
/// backup, `sqlite3` or a second proctor would. Runs as a ``RunningCommand``: killed if still running when
/// the value goes away, but call ``kill()`` (in a `defer`) so the lock is held to the end of the test.
public final class SQLiteLockHolder: @unchecked Sendable {
    public let command: RunningCommand

    public struct NoLock: Error, CustomStringConvertible {
        public let output: String
        public var description: String { "the lock holder did not get the lock: \(output)" }
    }

    /// Starts the holder and returns once it holds the lock (waiting up to 30 s for it); it commits and
    /// exits after `seconds`.
    public init(database: String, holdFor seconds: Int) throws {
        let script =
            "import sqlite3, sys, time\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            + "c.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\ntime.sleep(\(seconds))\nc.execute('COMMIT')\n"
        command = try RunningCommand("/usr/bin/env", ["python3", "-c", script, database])
        let locked = RunningCommand.eventually(within: 30) { command.stdout.hasPrefix("locked") || !command.process.isRunning }
        guard locked, command.stdout.hasPrefix("locked") else {
            kill()
            throw NoLock(output: command.stdout + command.stderr)
        }
    }

    /// Waits up to `seconds` for the holder to commit and exit; its exit status, nil when it did not end.
    public func waitUntilReleased(within seconds: Double) -> Int32? {
        command.wait(seconds: seconds) ? command.exitStatus : nil
    }

    /// Ends the holder now. SIGKILL: a child may inherit a signal mask that blocks SIGTERM.
    public func kill() {
        command.signal(SIGKILL)
        command.wait(seconds: 10)
    }
}
