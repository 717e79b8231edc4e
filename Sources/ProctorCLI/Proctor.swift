import ArgumentParser
import Foundation
import ProctorVision

/// The `proctor` command: a computer-vision worker for online exam proctoring.
@main
struct Proctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proctor",
        abstract: "Computer-vision worker for online exam proctoring.",
        discussion: """
            Example: proctor monitor --camera /dev/video0 --student 42 --exam midterm --api-url https://exams.example.org
            \(ExitStatus.all)
            """,
        version: VersionText.program,
        subcommands: [Analyze.self, Monitor.self, Episodes.self, Ship.self, Doctor.self, Report.self, Reanalyze.self, Db.self, Config.self]
    )

    /// Runs the chosen subcommand; a ``Failure`` prints one line and exits with its own status.
    static func main() async {
        BrokenPipes.ignore()
        // FFmpeg (under OpenCV's videoio) writes decoder complaints straight to stderr, which would
        // break JSON-lines logs; OpenCV sets FFmpeg's level from this variable on first use. Set while
        // the process is still single-threaded; an operator's own value wins.
        setenv("OPENCV_FFMPEG_LOGLEVEL", "-8", 0)
        if CommandLine.arguments.dropFirst().first == "monitor" { MallocArenas.limit(to: 2) }
        // --version also names the inference engine, which needs the runtime probed: not a static string.
        if Array(CommandLine.arguments.dropFirst()) == ["--version"] {
            print(VersionText.text())
            return
        }
        do {
            var command = try parseAsRoot()
            // From here on, in the commands that run native decoders, stray stderr text (libjpeg under
            // imgcodecs, GStreamer, a Swift runtime crash message) reaches a log collector as JSON lines; the
            // final `error:` line stays one plain line. Usage errors above are an operator's at a shell, and
            // stay plain too. Short commands (episodes, ship...) do without the extra process and its exit wait.
            if command is Analyze || command is Monitor || command is Reanalyze {
                StderrRelay.start(passingThrough: "error: ")
            }
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
        } catch let usage as ValidationError {
            // Found while running (no images in a folder, a URL that does not parse): one line like every
            // other error, not ArgumentParser's usage block for the root command, which names no option of
            // the command that ran (and, through the stderr relay, would become three warning records).
            Terminal.writeError("error: \(usage.message)\n")
            Foundation.exit(64)
        } catch {
            // ArgumentParser's own errors (usage 64, help 0, an ExitCode) keep their status; anything
            // else escaping a command is a bug here, not the operator's: EX_SOFTWARE (70).
            if !(error is ExitCode), exitCode(for: error) == .failure {
                Terminal.writeError("error: \(message(for: error))\n")
                Foundation.exit(70)
            }
            exit(withError: error)
        }
    }
}
