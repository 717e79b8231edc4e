import Foundation
import ProctorOutbox
import ProctorTestSupport
import Testing

/// Issue 13, "never silently degraded" and "a real doctor", through the real binary. A models directory
/// holding a truncated copy (via PROCTOR_MODELS, searched first) stands for a corrupt install. Needs the
/// models: copying them fails the suite when they are missing.
@Suite struct OperatorKitTests {
    let proctor: String
    let folder: TemporaryDirectory

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        folder = try TemporaryDirectory(prefix: "operator-kit")
    }

    /// A copy of the models and manifest, with `truncated` cut to its first 1000 bytes.
    func modelsCopy(truncating truncated: String? = nil) throws -> String {
        let directory = folder.path("models-\(truncated ?? "intact")")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in ["manifest.json", "face_detection_yunet_2022mar.onnx", "yolox_nano.onnx", "MobileFaceNet.onnx"] {
            let data = try Data(contentsOf: TestAssets.modelsDirectory.appendingPathComponent(name))
            let written = name == truncated ? data.prefix(1000) : data
            try written.write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name)))
        }
        return directory
    }

    /// Three frames of one face, as a replay source.
    func clip() throws -> String {
        try ReplayClip.still("keliamoniz1.jpg", frames: 3, in: folder)
    }

    func write(_ text: String, to name: String) throws -> String {
        let path = folder.path(name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func recorded(_ outbox: String) throws -> [String: Any] {
        let store = try Outbox(path: outbox)
        defer { store.close() }
        let session = try #require(try store.sessions().first)
        return try #require(session.configJSON.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
    }

    // MARK: Never silently degraded

    @Test func monitorRefusesATruncatedModelUnlessAllowedAndTheReportSaysSo() throws {
        let models = try modelsCopy(truncating: "yolox_nano.onnx")
        let source = try clip()
        let environment = ["PROCTOR_MODELS": models, "PROCTOR_ENGINE": "opencv", "XDG_CONFIG_HOME": folder.path("no-config")]
        let refused = try CommandRunner.run(
            proctor, ["monitor", "--source", source, "--student", "s-1", "--outbox", folder.path("refused.sqlite")], environment: environment)
        #expect(refused.status == 78, "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("refusing to run degraded") && refused.stderr.contains("yolox_nano.onnx"), "\(refused.stderr)")
        #expect(refused.stderr.contains("does not match manifest.json"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("refused.sqlite")))

        let outbox = folder.path("degraded.sqlite")
        let allowed = try CommandRunner.run(
            proctor, ["monitor", "--source", source, "--student", "s-1", "--outbox", outbox, "--allow-degraded"], environment: environment)
        #expect(allowed.status == 0, "stderr: \(allowed.stderr)")
        let session = try recorded(outbox)
        #expect(session["detectors"] as? [String] == ["yunet"], "\(session)")
        #expect((session["degraded"] as? [String])?.first?.contains("object model") == true, "\(session)")

        let report = folder.path("degraded.html")
        let rendered = try CommandRunner.run(proctor, ["report", "--outbox", outbox, "--out", report])
        #expect(rendered.status == 0, "stderr: \(rendered.stderr)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("DEGRADED run") && html.contains("This session ran DEGRADED"), "no degraded notice in the report")
    }

    @Test func aFullSessionRecordsWhatRanAndTheReportHeaderShowsIt() throws {
        let outbox = folder.path("full.sqlite")
        let result = try CommandRunner.run(
            proctor, ["monitor", "--source", try clip(), "--student", "s-1", "--outbox", outbox, "--fps", "2"],
            environment: ["PROCTOR_MODELS": try modelsCopy(), "PROCTOR_ENGINE": "opencv", "XDG_CONFIG_HOME": folder.path("no-config")])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let session = try recorded(outbox)
        #expect(session["detectors"] as? [String] == ["yunet", "yolox"], "\(session)")
        #expect((session["degraded"] as? [String]) == [], "\(session)")
        #expect(session["proctorVersion"] as? String != nil)
        let pipeline = try #require(session["pipelineVersion"] as? String)
        #expect(pipeline.range(of: "^m[0-9a-f]{16}-r[0-9]+-c[0-9a-f]{8}$", options: .regularExpression) != nil, "\(pipeline)")
        #expect(session["inferenceEngine"] as? String == "opencv 4.6.0" && session["fps"] as? Double == 2, "\(session)")

        let report = folder.path("full.html")
        #expect(try CommandRunner.run(proctor, ["report", "--outbox", outbox, "--out", report]).status == 0)
        // A report that cannot be written is an output failure (74), as its help says, not a missing input.
        let unwritable = try CommandRunner.run(proctor, ["report", "--outbox", outbox, "--out", folder.path("no-such-folder/r.html")])
        #expect(unwritable.status == 74 && unwritable.stderr.hasPrefix("error: cannot write the report"), "\(unwritable.stderr)")
        // A report (or metrics file) named like the outbox would have replaced the outbox and its episodes.
        let overOutbox = try CommandRunner.run(proctor, ["report", "--outbox", outbox, "--out", outbox])
        #expect(overOutbox.status == 74 && overOutbox.stderr.contains("it is an SQLite database"), "\(overOutbox.stderr)")
        #expect(try recorded(outbox)["inferenceEngine"] as? String == "opencv 4.6.0", "the outbox is intact")
        // A one-character relative path (Foundation's deletingLastPathComponent traps on it).
        let doctor = try CommandRunner.run(proctor, ["doctor", "--no-camera", "--outbox", "q", "--models", TestAssets.modelsDirectory.path])
        #expect(doctor.status == 0 || doctor.status == 1, "\(doctor.stderr)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("data-field=\"what-ran\"") && html.contains(pipeline) && html.contains("full pipeline"))
        #expect(!html.contains("DEGRADED"))
    }

    @Test func analyzeRefusesMissingModelsUnlessAllowed() throws {
        let empty = try TemporaryDirectory()
        let arguments = ["analyze", "--models", empty.url.path, "--format", "jsonl", TestAssets.photo("bus.jpg")]
        let refused = try CommandRunner.run(proctor, arguments)
        #expect(refused.status == 78 && refused.stderr.contains("face model face_detection_yunet_2022mar.onnx not found"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        let allowed = try CommandRunner.run(proctor, arguments + ["--allow-degraded"])
        #expect(allowed.status == 0 && allowed.stderr.contains("degraded (--allow-degraded)"), "\(allowed.stderr)")
    }

    // MARK: Strict config

    @Test func unknownKeysAreErrorsNamingKeyAndFile() throws {
        let nested = try write(#"{"rules": {"faceAbsent": {"openAftr": 10}}}"#, to: "nested.json")
        let result = try CommandRunner.run(proctor, ["config", "check", "--config", nested])
        #expect(result.status == 78 && result.stderr.contains("unknown key rules.faceAbsent.openAftr") && result.stderr.contains(nested), "\(result.stderr)")
        let top = try write(#"{"fsp": 2}"#, to: "top.json")
        let monitor = try CommandRunner.run(
            proctor, ["monitor", "--source", try clip(), "--student", "s", "--outbox", folder.path("o.sqlite"), "--config", top])
        #expect(monitor.status == 78 && monitor.stderr.contains("unknown key fsp"), "\(monitor.stderr)")
        let good = try write(#"{"rules": {"cameraBlocked": {"escalation": {"after": 60, "severity": "high"}}}, "fps": 1}"#, to: "good.json")
        let checked = try CommandRunner.run(proctor, ["config", "check", "--config", good])
        #expect(checked.status == 0 && checked.stdout.contains(good), "\(checked.stderr)")
    }

    @Test func partialOverridesMergeAndPrintNamesEverySource() throws {
        let file = try write(#"{"rules": {"faceAbsent": {"openAfter": 10}}, "objectEvery": 3}"#, to: "partial.json")
        let result = try CommandRunner.run(
            proctor, ["config", "print", "--config", file, "--fps", "3"], environment: ["PROCTOR_FACE_SIDE": "320", "PROCTOR_FPS": "1"])
        // An out-of-range flag is the flag's error, as in the monitor: exit 64 naming it.
        let absurd = try CommandRunner.run(proctor, ["config", "print", "--fps", "50"])
        #expect(absurd.status == 64 && absurd.stderr.contains("--fps must be in 0.01...30"), "\(absurd.stderr)")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = Set(result.lines)
        #expect(lines.contains("rules.faceAbsent.openAfter = 10  (file \(file))"), "\(result.stdout)")
        // The rest of the rule, escalation included, keeps its defaults.
        #expect(lines.contains("rules.faceAbsent.severity = medium  (default)"))
        #expect(lines.contains("rules.faceAbsent.escalation.after = 30  (default)"))
        #expect(lines.contains("objectEvery = 3  (file \(file))"))
        #expect(lines.contains("faceSide = 320  (env PROCTOR_FACE_SIDE)"))
        #expect(lines.contains("fps = 3  (flag --fps)"))
    }

    @Test func theDefaultConfigFileIsFoundUnderXDGConfigHome() throws {
        let home = folder.path("xdg")
        _ = try write(#"{"objectEvery": 5}"#, to: "xdg/proctor-vision/config.json")
        let result = try CommandRunner.run(proctor, ["config", "print"], environment: ["XDG_CONFIG_HOME": home])
        #expect(result.status == 0 && result.lines.contains { $0.hasPrefix("objectEvery = 5  (file \(home)/proctor-vision/config.json)") }, "\(result.stdout)")
        _ = try write(#"{"objectEvery": "five"}"#, to: "xdg/proctor-vision/config.json")
        let broken = try CommandRunner.run(proctor, ["config", "check"], environment: ["XDG_CONFIG_HOME": home])
        #expect(broken.status == 78 && broken.stderr.contains("wrong type at objectEvery"), "\(broken.stderr)")
    }

    // MARK: Doctor

    func doctor(_ arguments: [String], models: String) throws -> CommandResult {
        try CommandRunner.run(
            proctor, ["doctor", "--outbox", folder.path("doctor/outbox.sqlite")] + arguments,
            environment: ["PROCTOR_MODELS": models, "PROCTOR_ENGINE": "opencv", "XDG_CONFIG_HOME": folder.path("no-config")])
    }

    @Test func doctorFailsATruncatedModelAndPassesIntactOnes() throws {
        let bad = try doctor(["--no-camera"], models: try modelsCopy(truncating: "face_detection_yunet_2022mar.onnx"))
        #expect(bad.status == 1)
        #expect(bad.lines.contains { $0.hasPrefix("FAIL  model yunet:") && $0.contains("does not match manifest.json") }, "\(bad.stdout)")
        #expect(bad.lines.contains { $0.hasPrefix("ok    model yolox:") }, "\(bad.stdout)")
        let good = try doctor(["--no-camera"], models: try modelsCopy())
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.lines.contains { $0.hasPrefix("ok    model mobilefacenet:") && $0.contains("matches the manifest") }, "\(good.stdout)")
        #expect(good.lines.contains { $0.hasPrefix("ok    models load: YuNet, YOLOX and MobileFaceNet load") }, "\(good.stdout)")
        #expect(good.lines.contains { $0.hasPrefix("ok    disk:") && $0.contains("MB free") }, "\(good.stdout)")
        #expect(good.lines.contains { $0.hasPrefix("ok    outbox:") && $0.contains("not created yet") }, "\(good.stdout)")
    }

    /// The embedding model is hashed like the others; a replaced one fails and is not loaded.
    @Test func doctorFailsATruncatedMobileFaceNet() throws {
        let bad = try doctor(["--no-camera"], models: try modelsCopy(truncating: "MobileFaceNet.onnx"))
        #expect(bad.status == 1)
        #expect(bad.lines.contains { $0.hasPrefix("FAIL  model mobilefacenet:") && $0.contains("does not match manifest.json") }, "\(bad.stdout)")
        #expect(bad.lines.contains { $0.hasPrefix("ok    models load: YuNet and YOLOX load") }, "\(bad.stdout)")
    }

    @Test func doctorFailsDevNullAsACamera() throws {
        let result = try doctor(["--camera", "/dev/null", "--size", "320x240"], models: try modelsCopy())
        #expect(result.status == 1)
        #expect(result.lines.contains { $0.hasPrefix("FAIL  camera: ") }, "\(result.stdout)")
    }

    @Test func doctorJSONForFleetToolsReportsDiskAPIAndConfigFailures() throws {
        let badConfig = try write(#"{"rulez": {}}"#, to: "doctor-config.json")
        let result = try doctor(
            ["--no-camera", "--format", "json", "--min-free-mb", "10000000", "--api-url", "http://127.0.0.1:9/", "--config", badConfig],
            models: try modelsCopy())
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(object["ok"] as? Bool == false)
        let checks = try #require(object["checks"] as? [[String: Any]])
        func check(_ name: String) -> [String: Any]? { checks.first { $0["name"] as? String == name } }
        #expect(check("disk")?["status"] as? String == "fail" && (check("disk")?["detail"] as? String)?.contains("below 10000000 MB") == true)
        #expect(check("api")?["status"] as? String == "fail" && (check("api")?["hint"] as? String)?.contains("/api/health/") == true, "\(checks)")
        #expect(check("config")?["status"] as? String == "fail" && (check("config")?["detail"] as? String)?.contains("unknown key rulez") == true)
        #expect(check("camera")?["status"] as? String == "skip")
        #expect(check("model yunet")?["status"] as? String == "ok")
    }
}
