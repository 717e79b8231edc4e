import Foundation
import ProctorCore
import ProctorImaging
import ProctorVision

/// What the identity check found in one stored image: the main face's similarity to the student's
/// registration photo, and whether that is the student (nil: the face was too unclear to tell).
public struct IdentityFinding: Sendable, Hashable {
    public var similarity: Double
    public var match: Bool?

    public init(similarity: Double, match: Bool?) {
        self.similarity = similarity
        self.match = match
    }
}

/// Compares the main face of stored images with their student's registration photo.
///
/// Registration photos are embedded once per run (cached by stored name, including the ones that
/// cannot serve). Not thread-safe: used from the reanalyzer's own thread.
public final class ReferenceComparer {
    public let policy: IdentityPolicy
    public let minFaceScore: Double
    private let factory: VisionPipelineFactory
    private let locator: ModelLocator
    private let embedder: FaceEmbedder
    private var references: [String: FaceEmbedding?] = [:]

    /// Nil-free only with the embedding model present; a missing model is a configuration error.
    public init(factory: VisionPipelineFactory, locator: ModelLocator, policy: IdentityPolicy, minFaceScore: Double) throws(ReanalysisError) {
        guard let model = locator.path(for: ModelLocator.embeddingModel) else {
            throw .configuration("face embedding model \(ModelLocator.embeddingModel) not found")
        }
        do {
            embedder = try FaceEmbedder(modelPath: model, backend: factory.backend)
        } catch {
            throw .configuration(error.message)
        }
        self.factory = factory
        self.locator = locator
        self.policy = policy
        self.minFaceScore = minFaceScore
    }

    /// The identity finding of an analysed image, or nil when it cannot be compared (no usable
    /// registration photo, no counted face, the image cannot be read again).
    func compare(imagePath: String, record: AnalysisRecord, studentPhoto: String, media: MediaRoot) -> IdentityFinding? {
        guard let reference = reference(studentPhoto, media: media) else { return nil }
        let faces = (record.faces ?? []).compactMap(Self.face).filter { $0.score >= minFaceScore }
        guard let main = faces.max(by: { $0.box.area < $1.box.area }), let landmarks = main.landmarks,
            let image = try? factory.loader.load(path: imagePath), let embedding = try? embedder.embed(landmarks, in: image)
        else { return nil }
        let similarity = embedding.similarity(to: reference)
        return IdentityFinding(similarity: (similarity * 1000).rounded() / 1000, match: policy.isUsable(main) ? policy.matches(similarity) : nil)
    }

    private func reference(_ stored: String, media: MediaRoot) -> FaceEmbedding? {
        if let known = references[stored] { return known }
        var embedding: FaceEmbedding?
        if let path = media.path(for: stored) {
            embedding = try? ReferenceFace.load(path: path, factory: factory, policy: policy, minFaceScore: minFaceScore, locator: locator)
        }
        references[stored] = embedding
        return embedding
    }

    /// The face as the pipeline saw it, back from its printed record.
    static func face(_ face: AnalysisRecord.Face) -> DetectedFace? {
        guard face.box.count == 4 else { return nil }
        let points = (face.landmarks ?? []).compactMap { $0.count == 2 ? Point2D(x: $0[0], y: $0[1]) : nil }
        let landmarks =
            points.count == 5
            ? FaceLandmarks(rightEye: points[0], leftEye: points[1], nose: points[2], rightMouth: points[3], leftMouth: points[4]) : nil
        let pose = face.yaw.map { HeadPose(yaw: $0, pitch: face.pitch ?? 0, roll: face.roll ?? 0) }
        return DetectedFace(
            box: BoundingBox(x: face.box[0], y: face.box[1], width: face.box[2], height: face.box[3]), score: face.score, landmarks: landmarks,
            pose: pose)
    }
}
