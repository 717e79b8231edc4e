import ArgumentParser
import Foundation

/// The `proctor` command: a computer-vision worker for online exam proctoring.
@main
struct Proctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proctor",
        abstract: "Computer-vision worker for online exam proctoring.",
        discussion: """
            Exit codes: 0 success, 1 some inputs failed or a check failed, 64 usage error, 66 cannot open input, \
            69 service unavailable, 70 internal error, 74 cannot write the output, 78 bad configuration.
            """,
        version: VersionText.program,
        subcommands: [Analyze.self, Monitor.self, Episodes.self, Ship.self, Doctor.self, Report.self, Reanalyze.self, Db.self, Config.self]
    )

    /// Runs the chosen subcommand; a ``Failure`` prints one line and exits with its own status.
    static func main() async {
        BrokenPipes.ignore()
        // --version also names the inference engine, which needs the runtime probed: not a static string.
        if Array(CommandLine.arguments.dropFirst()) == ["--version"] {
            print(VersionText.text())
            return
        }
        do {
            var command = try parseAsRoot()
            try EnvironmentSettings.validate(ProcessInfo.processInfo.environment)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            try StandardOutput.finish()
        } catch let failure as Failure {
            Terminal.writeError("error: \(failure.description)\n")
            Foundation.exit(failure.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
