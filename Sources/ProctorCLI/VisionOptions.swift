import ArgumentParser
import Logging
import ProctorCore
import ProctorVision

/// Options that tune the vision pipeline and the per-frame verdicts.
struct VisionOptions: ParsableArguments {
    @Option(help: "Long side (px) of the image the face detector sees; larger finds smaller faces, slower.")
    var faceSide: Int = VisionConfiguration().faceScale.workingSide

    @Option(help: "Object detector input size (multiple of 32): 416 native, 320 about twice as fast.")
    var objectSize: Int = VisionConfiguration().objectInputSize

    @Flag(help: "Skip the object detector (no phones, no persons).")
    var noObjects = false

    @Option(help: "Minimum face score counted by the verdicts (0...1).")
    var minFaceScore: Double = VerdictPolicy().minFaceScore

    @Option(help: "Minimum phone score (0...1).")
    var minPhoneScore: Double = VerdictPolicy().minPhoneScore

    @Option(help: "Refuse images with more pixels than this many megapixels (checked before decoding).")
    var maxMegapixels: Int = 64

    func validate() throws {
        guard faceSide >= 64 else { throw ValidationError("--face-side must be at least 64") }
        guard objectSize >= 64, objectSize % 32 == 0 else { throw ValidationError("--object-size must be a multiple of 32, at least 64") }
        guard (0...1).contains(minFaceScore), (0...1).contains(minPhoneScore) else {
            throw ValidationError("scores must be between 0 and 1")
        }
        guard maxMegapixels >= 1 else { throw ValidationError("--max-megapixels must be at least 1") }
    }

    var configuration: VisionConfiguration {
        var configuration = VisionConfiguration()
        configuration.faceScale.workingSide = faceSide
        configuration.objectInputSize = objectSize
        configuration.detectObjects = !noObjects
        // Faces below the verdicts' score are not reported at all, so counts in the output match the verdicts.
        configuration.faceScoreThreshold = minFaceScore
        configuration.faceSearch.confidentScore = minFaceScore
        configuration.phoneSecondLook.confidentScore = minPhoneScore
        configuration.objectThresholds.classMinScore[COCOLabels.cellPhone] = min(
            configuration.objectThresholds.classMinScore[COCOLabels.cellPhone] ?? minPhoneScore, minPhoneScore)
        return configuration
    }

    var policy: VerdictPolicy {
        var policy = VerdictPolicy()
        policy.minFaceScore = minFaceScore
        policy.minPhoneScore = minPhoneScore
        return policy
    }

    func factory(locator: ModelLocator) -> VisionPipelineFactory {
        VisionPipelineFactory(
            configuration: configuration, locator: locator, loader: ImageLoader(maxPixels: maxMegapixels * 1_000_000))
    }

    /// A batch analyzer over these settings, its models loaded once to surface a configuration error
    /// (exit 78) before any work starts; model warnings (Haar fallback, no object model) are logged.
    func makeAnalyzer(locator: ModelLocator, jobs: Int, logger: Logger) throws -> BatchAnalyzer {
        let factory = factory(locator: locator)
        for warning in factory.warnings { logger.warning("\(warning)") }
        let analyzer = BatchAnalyzer(factory: factory, jobs: jobs)
        do {
            try analyzer.validate()
        } catch {
            throw Failure.configuration("\(error)")
        }
        return analyzer
    }
}
