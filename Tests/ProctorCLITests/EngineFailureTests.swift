import Foundation
import ProctorTestSupport
import Testing

/// An engine that fails on an image it decoded: the worker's fault, not the image's (exit 70, "engine_failure").
///
/// The trigger is an operator's real mistake, not a stub: another network installed under the object
/// detector's name, with a manifest that vouches for it. MobileFaceNet loads fine, but the detector's
/// forward pass fails inside OpenCV: it asks for YOLOX's output layers, which this network does not have.
@Suite(.requiresModels)
struct EngineFailureTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    /// A models directory whose `yolox_nano.onnx` is MobileFaceNet, its manifest updated to match.
    func modelsWithTheWrongObjectNetwork(in folder: TemporaryDirectory) throws -> String {
        let models = TestAssets.modelsDirectory
        let manifestData = try Data(contentsOf: models.appendingPathComponent("manifest.json"))
        var manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [String: Any])
        var files = try #require(manifest["files"] as? [[String: Any]])
        let embedder = try #require(files.first { $0["file"] as? String == "MobileFaceNet.onnx" }?["sha256"] as? String)
        let detector = try #require(files.firstIndex { $0["file"] as? String == "yolox_nano.onnx" })
        files[detector]["sha256"] = embedder
        manifest["files"] = files

        let directory = folder.path("models")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: directory + "/manifest.json"))
        let face = "face_detection_yunet_2022mar.onnx"
        try FileManager.default.copyItem(atPath: models.appendingPathComponent(face).path, toPath: directory + "/" + face)
        try FileManager.default.copyItem(
            atPath: models.appendingPathComponent("MobileFaceNet.onnx").path, toPath: directory + "/yolox_nano.onnx")
        return directory
    }

    @Test func inferenceFailingOnADecodedImageExitsSeventy() throws {
        let folder = try TemporaryDirectory()
        let models = try modelsWithTheWrongObjectNetwork(in: folder)
        let result = try CommandRunner.run(
            proctor, ["analyze", "--models", models, "--engine", "opencv", "--format", "jsonl", TestAssets.photo("zidane.jpg")])
        #expect(result.status == 70, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        let first = try #require(result.lines.first, "no output; stderr: \(result.stderr)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any], "not JSON: \(first)")
        #expect(record["error_kind"] as? String == "engine_failure", "\(first)")
        let message = try #require(record["error"] as? String, "\(first)")
        #expect(!message.isEmpty && !message.contains("\n"), "\(message)")
        #expect(record["faces"] == nil)  // nothing half-analysed is reported as a result
    }
}
