import Foundation
import ProctorCore
import ProctorVision

/// `--reference PHOTO`: the registered student's face, for identity checks.
enum ReferencePhoto {
    /// Identity settings comparing faces with the one clear face in `path`. A photo without exactly one
    /// clear face is a usage error (64) naming the reason; missing models are a configuration error (78).
    static func settings(
        path: String, factory: VisionPipelineFactory, locator: ModelLocator, policy: IdentityPolicy, minFaceScore: Double,
        scope: IdentitySettings.Scope, recheckMatchEvery: Int = 1
    ) throws -> IdentitySettings {
        let reference: FaceEmbedding
        do {
            reference = try ReferenceFace.load(path: path, factory: factory, policy: policy, minFaceScore: minFaceScore, locator: locator)
        } catch {
            throw failure(error)
        }
        return try settings(
            reference: reference, locator: locator, policy: policy, minFaceScore: minFaceScore, scope: scope, recheckMatchEvery: recheckMatchEvery)
    }

    static func settings(
        reference: FaceEmbedding, locator: ModelLocator, policy: IdentityPolicy, minFaceScore: Double, scope: IdentitySettings.Scope,
        recheckMatchEvery: Int = 1
    ) throws -> IdentitySettings {
        guard let modelPath = locator.path(for: ModelLocator.embeddingModel) else {
            throw Failure.configuration("face embedding model \(ModelLocator.embeddingModel) not found (run scripts/setup)")
        }
        return IdentitySettings(
            reference: reference, modelPath: modelPath, policy: policy, minFaceScore: minFaceScore, scope: scope,
            recheckMatchEvery: recheckMatchEvery)
    }

    static func failure(_ error: ReferenceError) -> Failure {
        switch error.kind {
        case .unusablePhoto: .usage(error.message)
        case .configuration: .configuration(error.message)
        }
    }
}
