import Foundation
import ProctorTestSupport
import Testing

/// Absurd settings from every source end with one line naming the source, never a trap.
@Suite(.requiresModels)
struct SettingsBoundsTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    func monitor(_ folder: TemporaryDirectory, environment: [String: String] = [:], extra: [String] = []) throws -> CommandResult {
        let clip = folder.path("clip")
        try? FileManager.default.createDirectory(atPath: clip, withIntermediateDirectories: true)
        for index in 0..<4 {
            let link = (clip as NSString).appendingPathComponent("f\(index).jpg")
            if !FileManager.default.fileExists(atPath: link) {
                try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: TestAssets.photo("person.jpg"))
            }
        }
        return try CommandRunner.run(
            proctor, ["monitor", "--source", clip, "--student", "s-1", "--outbox", folder.path("o.sqlite")] + extra,
            environment: environment)
    }

    func oneErrorLine(_ result: CommandResult) -> String? {
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") || $0.hasPrefix("Error:") }
        return lines.count == 1 ? String(lines[0]) : nil
    }

    @Test(arguments: [
        ("PROCTOR_OBJECT_EVERY", "0"), ("PROCTOR_OBJECT_EVERY", "1e19"), ("PROCTOR_FACE_SIDE", "1e30"),
        ("PROCTOR_FACE_SIDE", "1"), ("PROCTOR_OBJECT_SIZE", "100"), ("PROCTOR_FPS", "1e30"), ("PROCTOR_RETENTION_DAYS", "1e300"),
        ("PROCTOR_FPS", "1e-300"),  // frames 1e300 s apart: no clock or report holds that
    ])
    func environmentOutOfBoundsIsAConfigurationErrorNamingTheVariable(key: String, value: String) throws {
        let folder = try TemporaryDirectory()
        let result = try monitor(folder, environment: [key: value])
        #expect(result.status == 78, "stderr: \(result.stderr)")
        let line = try #require(oneErrorLine(result), "stderr: \(result.stderr)")
        #expect(line.contains("\(key)=\(value)"))
    }

    @Test(arguments: [
        ("{\"objectEvery\": 0}", "objectEvery"), ("{\"faceSide\": 100000}", "faceSide"), ("{\"thumbnailSide\": 5}", "thumbnailSide"),
        ("{\"rules\": {\"faceAbsent\": {\"openAfter\": 1e300, \"closeAfter\": 2}}}", "faceAbsent"),
    ])
    func configFileOutOfBoundsIsAConfigurationErrorNamingTheFile(json: String, key: String) throws {
        let folder = try TemporaryDirectory()
        let config = try folder.write("settings.json", Array(json.utf8))
        let result = try monitor(folder, extra: ["--config", config])
        #expect(result.status == 78, "stderr: \(result.stderr)")
        let line = try #require(oneErrorLine(result), "stderr: \(result.stderr)")
        #expect(line.contains("config \(config)") && line.contains(key), "\(line)")
    }

    @Test func flagsOutOfBoundsAreUsageErrors() throws {
        let photo = TestAssets.photo("bus.jpg")
        for arguments in [
            ["--max-megapixels", "9300000000000"], ["--face-side", "100000"], ["--object-size", "8192"], ["--jobs", "100000"],
        ] {
            let result = try CommandRunner.run(proctor, ["analyze", "--format", "jsonl"] + arguments + [photo])
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(arguments[0]), "\(arguments): \(result.stderr)")
        }
        let folder = try TemporaryDirectory()
        #expect(try monitor(folder, extra: ["--fps", "1e30"]).status == 64)
        #expect(try monitor(folder, extra: ["--fps", "1e-300"]).status == 64)
    }

    @Test func sharedEnvironmentAndDeliveryFlagsAreBounded() throws {
        for value in ["1e30", "0", "lots"] {
            let result = try CommandRunner.run(
                proctor, ["analyze", "--format", "jsonl", TestAssets.photo("bus.jpg")], environment: ["PROCTOR_OPENCV_THREADS": value])
            #expect(result.status == 78, "\(value): \(result.stderr)")
            #expect(oneErrorLine(result)?.contains("PROCTOR_OPENCV_THREADS=\(value)") == true, "\(result.stderr)")
        }
        let folder = try TemporaryDirectory()
        let timeout = try CommandRunner.run(
            proctor, ["ship", "--outbox", folder.path("o.sqlite"), "--api-url", "http://127.0.0.1:9/", "--timeout", "1e30"])
        #expect(timeout.status == 64 && timeout.stderr.contains("--timeout"), "\(timeout.stderr)")
    }
}
