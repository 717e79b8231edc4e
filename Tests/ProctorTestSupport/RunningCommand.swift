import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A command started in the background, for tests about signals, hangs and closed pipes: its stdout
/// and stderr go to files (or to a pipe the test may close), it can be signalled, and waiting for
/// it is bounded. A command still running when the value goes away is killed.
public final class RunningCommand: @unchecked Sendable {
    public let process = Process()
    private let folder: TemporaryDirectory
    /// The read end of stderr when started with `stderrPipe`; closing it makes the child's writes fail.
    public private(set) var stderrPipe: Pipe?
    public private(set) var stdoutPipe: Pipe?

    public enum Stream { case file, pipe, path(String) }

    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdout: Stream = .file,
        stderr: Stream = .file, currentDirectory: String? = nil
    ) throws {
        folder = try TemporaryDirectory(prefix: "proctor-run")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = currentDirectory.map { URL(fileURLWithPath: $0) } ?? TestAssets.packageRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try Self.handle(stdout, file: folder.path("stdout")) { self.stdoutPipe = $0 }
        process.standardError = try Self.handle(stderr, file: folder.path("stderr")) { self.stderrPipe = $0 }
        try process.run()
    }

    private static func handle(_ stream: Stream, file: String, pipe keep: (Pipe) -> Void) throws -> Any {
        switch stream {
        case .file:
            _ = FileManager.default.createFile(atPath: file, contents: nil)
            return try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        case .path(let path):
            return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        case .pipe:
            let pipe = Pipe()
            keep(pipe)
            return pipe
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public var pid: Int32 { process.processIdentifier }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits up to `seconds` for the command to end; false when it is still running.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return !process.isRunning
    }

    /// Polls `condition` every `interval` seconds for up to `seconds`; true once it held.
    public static func eventually(within seconds: Double, every interval: Double = 0.2, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: interval)
        } while Date() < deadline
        return false
    }

    /// The exit status, or nil when the command is running or was killed by a signal.
    public var exitStatus: Int32? {
        guard !process.isRunning, process.terminationReason == .exit else { return nil }
        return process.terminationStatus
    }

    /// The signal that killed the command, if one did.
    public var killingSignal: Int32? {
        guard !process.isRunning, process.terminationReason == .uncaughtSignal else { return nil }
        return process.terminationStatus
    }

    /// stderr's JSON log lines (what the command logs when stderr is not a terminal), in order.
    public var logLines: [[String: Any]] {
        stderr.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The position of the first log line whose message is `message` (or starts with it), if any.
    public func logIndex(_ message: String, prefix: Bool = false) -> Int? {
        logLines.firstIndex { line in
            guard let text = line["msg"] as? String else { return false }
            return prefix ? text.hasPrefix(message) : text == message
        }
    }

    /// Waits up to `seconds` for a log line with that message; false when none came (or the command ended without one).
    @discardableResult
    public func waitForLog(_ message: String, within seconds: Double) -> Bool {
        Self.eventually(within: seconds) { logIndex(message) != nil || !process.isRunning } && logIndex(message) != nil
    }

    public var stdout: String { (try? String(contentsOfFile: folder.path("stdout"), encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: folder.path("stderr"), encoding: .utf8)) ?? "" }
}
