import Logging
import ProctorVision

/// The rule that a run never degrades silently: a missing or unverified model stops the command with
/// exit 78 unless the operator asked for `--allow-degraded`; then every degradation is logged and an
/// unverified model is left out (as if missing) rather than loaded.
enum DegradedModels {
    static let hint = "run scripts/setup, install the package's models, or give --models DIR; --allow-degraded runs without them"

    /// Checks `factory`'s models; returns what the run will lack (empty when every model matches the manifest).
    @discardableResult
    static func enforce(_ factory: inout VisionPipelineFactory, allowed: Bool, logger: Logger) throws -> [String] {
        let problems = factory.degradations()
        guard !problems.isEmpty else { return [] }
        guard allowed else {
            throw Failure.configuration("refusing to run degraded: \(problems.joined(separator: "; ")) (\(hint))")
        }
        if let path = factory.faceModelPath, !ModelStatus.check(path: path).isUsable { factory.faceModelPath = nil }
        if let path = factory.objectModelPath, !ModelStatus.check(path: path).isUsable { factory.objectModelPath = nil }
        for problem in problems { logger.warning("degraded (--allow-degraded): \(problem)") }
        return problems
    }
}
