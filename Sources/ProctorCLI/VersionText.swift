import ProctorVision

/// `proctor --version`: the program's version and the inference engine `--engine auto` (or
/// `$PROCTOR_ENGINE`) would run here.
enum VersionText {
    static let program = "0.1.0"

    static func text() -> String {
        var lines = [program, "OpenCV \(OpenCVRuntime.version)"]
        switch OpenVINORuntime.status {
        case .success(let runtime): lines.append("OpenVINO \(runtime.version) (\(runtime.libraryPath))")
        case .failure(let error): lines.append("OpenVINO not available: \(error.message)")
        }
        do throws(VisionError) {
            let choice = try EngineChoice.fromEnvironment() ?? .auto
            let (backend, _) = try InferenceBackend.resolve(choice)
            lines.append("engine: \(backend) (\(choice.rawValue))")
        } catch {
            lines.append("engine: none (\(error.message))")
        }
        return lines.joined(separator: "\n")
    }
}
