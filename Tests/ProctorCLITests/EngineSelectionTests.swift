import Foundation
import ProctorOutbox
import ProctorTestSupport
import Testing

/// `--engine auto|openvino|opencv`, `PROCTOR_ENGINE` and the monitor's `engine` key, through the real
/// binary. `PROCTOR_OPENVINO` pointing at an empty folder stands for a machine without the runtime.
@Suite(.requiresModels)
struct EngineSelectionTests {
    let proctor: String
    let noRuntime: TemporaryDirectory

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        noRuntime = try TemporaryDirectory(prefix: "no-openvino")
    }

    func analyze(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try CommandRunner.run(
            proctor, ["analyze", "--format", "jsonl", "--models", TestAssets.modelsDirectory.path] + arguments + [TestAssets.photo("zidane.jpg")],
            environment: environment)
    }

    func faceCount(_ result: CommandResult) -> Int? {
        guard let line = result.lines.first, let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return nil }
        return (record["faces"] as? [Any])?.count
    }

    @Test func autoRunsOpenVINOWhenInstalledAndSaysSo() throws {
        let result = try analyze([], environment: ["PROCTOR_ENGINE": ""])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("inference engine") && result.stderr.contains("openvino 2026.4.1"), "\(result.stderr)")
        #expect(faceCount(result) == 2)
    }

    @Test func openVINOWithoutRuntimeExitsWithConfigurationError() throws {
        let result = try analyze(["--engine", "openvino"], environment: ["PROCTOR_OPENVINO": noRuntime.url.path])
        #expect(result.status == 78)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors.first?.contains("--engine openvino") == true, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func autoWithoutRuntimeFallsBackToOpenCVWithANotice() throws {
        let result = try analyze([], environment: ["PROCTOR_OPENVINO": noRuntime.url.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("OpenVINO not available") && result.stderr.contains("opencv 4.6.0"), "\(result.stderr)")
        #expect(faceCount(result) == 2)
    }

    @Test func environmentSelectsAndFlagWins() throws {
        let fromEnvironment = try analyze([], environment: ["PROCTOR_ENGINE": "opencv"])
        #expect(fromEnvironment.stderr.contains("opencv 4.6.0") && !fromEnvironment.stderr.contains("openvino 2026"), "\(fromEnvironment.stderr)")
        let flag = try analyze(["--engine", "openvino"], environment: ["PROCTOR_ENGINE": "opencv"])
        #expect(flag.status == 0 && flag.stderr.contains("openvino 2026.4.1"), "\(flag.stderr)")
        let bad = try analyze([], environment: ["PROCTOR_ENGINE": "gpu"])
        #expect(bad.status == 78 && bad.stderr.contains("PROCTOR_ENGINE=gpu"), "\(bad.stderr)")
        #expect(try analyze(["--engine", "cuda"]).status == 64)
    }

    @Test func versionAndDoctorNameTheEngine() throws {
        let version = try CommandRunner.run(proctor, ["--version"], environment: ["PROCTOR_ENGINE": ""])
        #expect(version.status == 0 && version.stdout.contains("engine: openvino 2026.4.1"), "\(version.stdout)")
        let without = try CommandRunner.run(proctor, ["--version"], environment: ["PROCTOR_OPENVINO": noRuntime.url.path])
        #expect(without.stdout.contains("OpenVINO not available") && without.stdout.contains("engine: opencv"), "\(without.stdout)")
        let doctor = try CommandRunner.run(
            proctor, ["doctor", "--no-camera", "--models", TestAssets.modelsDirectory.path], environment: ["PROCTOR_ENGINE": ""])
        #expect(doctor.status == 0 && doctor.stdout.contains("ok    engine: openvino 2026.4.1"), "\(doctor.stdout)")
        let missing = try CommandRunner.run(
            proctor, ["doctor", "--no-camera", "--engine", "openvino", "--models", TestAssets.modelsDirectory.path],
            environment: ["PROCTOR_OPENVINO": noRuntime.url.path])
        #expect(missing.status == 1 && missing.stdout.contains("FAIL  engine:"), "\(missing.stdout)")
    }

    /// A runtime whose CPU plugin is missing loads and reads models but compiles none: it must count as
    /// no runtime (auto falls back, openvino refuses, doctor fails), not run a monitor that analyses nothing.
    @Test func aRuntimeWithoutItsCPUPluginIsNotAvailable() throws {
        let installed = TestAssets.openVINOLibraryDirectory.path
        let partial = try TemporaryDirectory(prefix: "openvino-without-cpu")
        let names = try FileManager.default.contentsOfDirectory(atPath: installed)
        #expect(names.contains("libopenvino_intel_cpu_plugin.so"), "\(names)")
        for name in names where !name.contains("intel_cpu_plugin") {
            try FileManager.default.createSymbolicLink(atPath: partial.path(name), withDestinationPath: (installed as NSString).appendingPathComponent(name))
        }
        let environment = ["PROCTOR_OPENVINO": partial.url.path, "PROCTOR_ENGINE": ""]
        let refused = try analyze(["--engine", "openvino"], environment: environment)
        #expect(refused.status == 78 && refused.stderr.contains("no CPU device"), "\(refused.stderr)")
        let fallback = try analyze([], environment: environment)
        #expect(fallback.status == 0 && fallback.stderr.contains("OpenVINO not available") && fallback.stderr.contains("opencv 4.6.0"), "\(fallback.stderr)")
        #expect(faceCount(fallback) == 2)
        let doctor = try CommandRunner.run(
            proctor, ["doctor", "--no-camera", "--engine", "openvino", "--models", TestAssets.modelsDirectory.path], environment: environment)
        #expect(doctor.status == 1 && doctor.stdout.contains("FAIL  engine:"), "\(doctor.stdout)")
    }

    /// The session record keeps the engine that ran, not just the choice.
    @Test func monitorRecordsTheEngineInTheSession() throws {
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.still("keliamoniz1.jpg", frames: 3, in: folder)
        let config = folder.path("settings.json")
        try Data(#"{"engine": "opencv"}"#.utf8).write(to: URL(fileURLWithPath: config))
        for (arguments, expected) in [([String](), "openvino 2026.4.1"), (["--config", config], "opencv 4.6.0")] {
            let outbox = folder.path("outbox-\(expected.prefix(6)).sqlite")
            let result = try CommandRunner.run(
                proctor, ["monitor", "--source", clip, "--student", "s-1", "--outbox", outbox, "--models", TestAssets.modelsDirectory.path] + arguments,
                environment: ["PROCTOR_ENGINE": ""])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let store = try Outbox(path: outbox)
            defer { store.close() }
            let session = try #require(try store.sessions().first)
            let recorded = try #require(session.configJSON.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
            #expect(recorded["inferenceEngine"] as? String == expected, "\(session.configJSON ?? "")")
        }
    }
}
