import ArgumentParser
import Logging
import ProctorVision

extension EngineChoice: ExpressibleByArgument {}

/// `--engine auto|openvino|opencv`: which engine runs the networks' forward passes.
struct EngineOptions: ParsableArguments {
    @Option(
        help: """
            Inference engine: auto (OpenVINO when its runtime is present, else OpenCV DNN), openvino (exit 78 \
            when its runtime is missing) or opencv (default: $PROCTOR_ENGINE, the config file's "engine", auto).
            """)
    var engine: EngineChoice?

    /// Precedence, lowest to highest: auto, the config file's value, `PROCTOR_ENGINE`, `--engine`.
    func choice(configured: EngineChoice? = nil) throws -> EngineChoice {
        if let engine { return engine }
        do {
            if let fromEnvironment = try EngineChoice.fromEnvironment() { return fromEnvironment }
        } catch {
            throw Failure.configuration(error.message)
        }
        return configured ?? .auto
    }

    /// Resolves the choice and says which engine runs (a notice when `auto` falls back to OpenCV).
    /// `openvino` without a loadable runtime is a configuration error (exit 78).
    func backend(configured: EngineChoice? = nil, logger: Logger) throws -> InferenceBackend {
        let choice = try choice(configured: configured)
        let resolved: (backend: InferenceBackend, notice: String?)
        do {
            resolved = try InferenceBackend.resolve(choice)
        } catch {
            throw Failure.configuration(error.message)
        }
        if let notice = resolved.notice { logger.notice("\(notice)") }
        logger.notice(
            "inference engine",
            metadata: ["engine": "\(resolved.backend)", "choice": "\(choice.rawValue)", "threads": .stringConvertible(resolved.backend.threads)])
        return resolved.backend
    }
}
