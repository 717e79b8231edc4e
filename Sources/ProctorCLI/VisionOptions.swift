import ArgumentParser
import Foundation
import Logging
import ProctorAgent
import ProctorCore
import ProctorImaging
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

    /// The most pixels an image may be set to have: 1000 megapixels decode to 3 GB already.
    static let megapixelRange = 1...1000

    @OptionGroup var engineOptions: EngineOptions

    @Flag(help: "Run even when a model is missing or fails its manifest check (Haar instead of YuNet, no phones); the summary line says so.")
    var allowDegraded = false

    func validate() throws {
        guard MonitorSettings.faceSides.contains(faceSide) else {
            throw ValidationError("--face-side must be in \(MonitorSettings.faceSides.lowerBound)...\(MonitorSettings.faceSides.upperBound)")
        }
        guard MonitorSettings.objectSizes.contains(objectSize), objectSize % 32 == 0 else {
            throw ValidationError(
                "--object-size must be a multiple of 32 in \(MonitorSettings.objectSizes.lowerBound)...\(MonitorSettings.objectSizes.upperBound)")
        }
        guard (0...1).contains(minFaceScore), (0...1).contains(minPhoneScore) else {
            throw ValidationError("scores must be between 0 and 1")
        }
        guard Self.megapixelRange.contains(maxMegapixels) else {
            throw ValidationError("--max-megapixels must be in \(Self.megapixelRange.lowerBound)...\(Self.megapixelRange.upperBound)")
        }
    }

    /// Checks `--jobs`: at least one, at most four per core (more only thrashes memory).
    static func validate(jobs: Int) throws {
        let most = 4 * ProcessInfo.processInfo.activeProcessorCount
        guard (1...most).contains(jobs) else { throw ValidationError("--jobs must be in 1...\(most) (4 per core)") }
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

    /// The factory these settings select, on the engine `--engine` selects (logged; exit 78 when
    /// `--engine openvino` has no runtime).
    /// - Parameter followingSymlinks: false for reanalysis inside a media root (O_NOFOLLOW).
    func factory(locator: ModelLocator, logger: Logger, followingSymlinks: Bool = true) throws -> VisionPipelineFactory {
        var factory = VisionPipelineFactory(
            configuration: configuration, locator: locator,
            loader: ImageLoader(maxPixels: maxMegapixels * 1_000_000, followsSymlinks: followingSymlinks))
        factory.backend = try engineOptions.backend(logger: logger)
        try DegradedModels.enforce(&factory, allowed: allowDegraded, logger: logger)
        return factory
    }

    /// A batch analyzer over these settings, its models loaded once to surface a configuration error
    /// (exit 78) before any work starts (missing models were refused or logged by ``factory(locator:logger:followingSymlinks:)``).
    func makeAnalyzer(factory: VisionPipelineFactory, jobs: Int, logger: Logger) throws -> BatchAnalyzer {
        let analyzer = BatchAnalyzer(factory: factory, jobs: jobs)
        do {
            try analyzer.validate()
        } catch {
            throw Failure.configuration("\(error)")
        }
        return analyzer
    }
}
