import ArgumentParser
import Foundation
import ProctorAgent

/// `proctor config check|print`: validates the monitor's settings and shows where each value comes from.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the monitor's settings, or print the effective ones with the source of each value.",
        discussion: """
            Sources, lowest to highest: default, file (--config, else $XDG_CONFIG_HOME/proctor-vision/config.json, \
            else /etc/proctor-vision/config.json), env (PROCTOR_FPS, PROCTOR_FACE_SIDE, PROCTOR_OBJECT_SIZE, \
            PROCTOR_OBJECT_EVERY, PROCTOR_RETENTION_DAYS, PROCTOR_ENGINE), flag. Unknown keys in the file are an error.
            Example: proctor config check --config /etc/proctor-vision/config.json
            \(ExitStatus.line([(0, nil), (64, nil), (78, "the file or a setting is invalid")]))
            """,
        subcommands: [Check.self, Print.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the settings file and environment; exit 78 naming the file and key at fault.",
            discussion: """
                Example: proctor config check --config ./exam.json
                \(ExitStatus.line([(0, "the settings are valid"), (64, nil), (78, "the file or a setting is invalid")]))
                """)

        @Option(help: "The JSON settings file (default: the first of $XDG_CONFIG_HOME/proctor-vision/config.json, /etc/proctor-vision/config.json).")
        var config: String?

        func run() throws {
            let sources = try ConfigSources.resolve(config: config, fps: nil)
            print("ok    config: \(sources.file ?? "no file (defaults)")")
        }
    }

    struct Print: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every effective setting as `key = value  (source)`; --format json for tools.",
            discussion: """
                Example: PROCTOR_FPS=1 proctor config print --config ./exam.json
                \(ExitStatus.line([(0, nil), (64, nil), (78, "the file or a setting is invalid")]))
                """)

        @Option(help: "The JSON settings file (default as for `check`).")
        var config: String?

        @Option(help: "The monitor's --fps flag, to see it win over the other sources.")
        var fps: Double?

        @Option(help: "text or json.")
        var format: String = "text"

        func validate() throws {
            guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
            // The monitor's own check of the flag, so that both commands say the same (exit 64, the flag named).
            if let fps, !MonitorSettings.fpsRange.contains(fps) { throw ValidationError("--fps must be in 0.01...30") }
        }

        func run() throws {
            let sources = try ConfigSources.resolve(config: config, fps: fps)
            if format == "json" {
                let rows = sources.origins.map { ["key": $0.path, "value": $0.value, "source": $0.source] }
                let data = try JSONSerialization.data(withJSONObject: ["file": sources.file.map { $0 as Any } ?? NSNull(), "settings": rows] as [String: Any], options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("# config file: \(sources.file ?? "none (defaults)")")
            for origin in sources.origins { print("\(origin.path) = \(origin.value)  (\(origin.source))") }
        }
    }
}

/// The monitor's settings resolution, its errors as configuration failures (exit 78).
enum ConfigSources {
    static func resolve(config: String?, fps: Double?) throws -> SettingsSources {
        do {
            return try SettingsSources.resolve(configFile: config, environment: ProcessInfo.processInfo.environment, fps: fps)
        } catch {
            throw Failure.configuration("\(error)")
        }
    }
}
