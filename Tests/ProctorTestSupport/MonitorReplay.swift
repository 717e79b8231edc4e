import Foundation

/// `proctor monitor` replaying a clip folder into an outbox, started in the background as a ``RunningCommand``
/// (stdout and stderr kept in files, so a replay that ends early can say why).
public enum MonitorReplay {
    /// Starts `proctor monitor --source clip --student student --outbox outbox` followed by `options`.
    public static func start(
        _ proctor: String, clip: String, student: String, outbox: String, options: [String] = [],
        stderr: RunningCommand.Stream = .file
    ) throws -> RunningCommand {
        try RunningCommand(proctor, ["monitor", "--source", clip, "--student", student, "--outbox", outbox] + options, stderr: stderr)
    }
}
