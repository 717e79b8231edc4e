import ProctorCore
import ProctorImaging
import ProctorReanalysis
import ProctorVision

/// `proctor --version`: the program's version, the commit it was built from, OpenCV, the inference
/// engine `--engine auto` (or `$PROCTOR_ENGINE`) would run here, and the pipeline version that engine
/// and the models found here make with the default settings.
enum VersionText {
    static let program = "0.1.0"

    static func text() -> String {
        var lines = [program, "commit \(OpenCVRuntime.buildCommit)", "OpenCV \(OpenCVRuntime.version)"]
        switch OpenVINORuntime.status {
        case .success(let runtime): lines.append("OpenVINO \(runtime.version) (\(runtime.libraryPath))")
        case .failure(let error): lines.append("OpenVINO not available: \(error.message)")
        }
        var backend = InferenceBackend.openCV
        do throws(VisionError) {
            let choice = try EngineChoice.fromEnvironment() ?? .auto
            backend = try InferenceBackend.resolve(choice).0
            lines.append("engine: \(backend) (\(choice.rawValue))")
        } catch {
            lines.append("engine: none (\(error.message))")
        }
        lines.append("pipeline: \(pipelineVersion(backend: backend))")
        return lines.joined(separator: "\n")
    }

    /// The default settings' pipeline version (model hashes, rules, settings, engine), as `reanalyze`
    /// records it; says why when the models are not found.
    private static func pipelineVersion(backend: InferenceBackend) -> String {
        var factory = VisionPipelineFactory(configuration: VisionConfiguration(), locator: ModelLocator())
        factory.backend = backend
        guard factory.faceModelPath != nil, factory.objectModelPath != nil else {
            return "unknown (models not found: \(ModelLocator.faceModel), \(ModelLocator.objectModel))"
        }
        do {
            return try PipelineVersion(factory: factory, policy: VerdictPolicy()).value
        } catch {
            return "unknown (\(error))"
        }
    }
}
