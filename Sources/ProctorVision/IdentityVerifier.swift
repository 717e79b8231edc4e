import ProctorCore
import ProctorImaging

/// What a pipeline needs to compare faces with a reference photo: the reference's embedding, the
/// embedding model, and which faces to compare.
public struct IdentitySettings: Sendable, Hashable {
    /// Which faces of a frame get an embedding.
    public enum Scope: Sendable, Hashable {
        /// Every face with landmarks (`proctor analyze`: each face in the output carries its similarity).
        case everyFace
        /// Only the candidate (the largest counted face) when it is clear enough to judge, and the other
        /// counted faces only when the candidate does not match (the monitor: one embedding per frame).
        case candidate
    }

    public var reference: FaceEmbedding
    public var modelPath: String
    public var policy: IdentityPolicy
    /// Faces below this detector score are not the candidate (the verdict policy's `minFaceScore`).
    public var minFaceScore: Double
    public var scope: Scope
    /// `.candidate` only: a candidate that matched and is still the same face (its box overlaps the one
    /// compared, IoU ≥ 0.5, on consecutive frames) keeps that similarity for up to this many frames
    /// before it is compared again. A new face or a lost track is compared at once; a face that did not
    /// match is compared on every other frame while it stays (the frames between tell nothing, so the
    /// rule neither counts nor forgets them), which halves the cost while a stranger sits there. 1
    /// compares on every frame.
    public var recheckMatchEvery: Int

    public init(
        reference: FaceEmbedding, modelPath: String, policy: IdentityPolicy, minFaceScore: Double, scope: Scope, recheckMatchEvery: Int = 1
    ) {
        self.reference = reference
        self.modelPath = modelPath
        self.policy = policy
        self.minFaceScore = minFaceScore
        self.scope = scope
        self.recheckMatchEvery = max(1, recheckMatchEvery)
    }
}

/// Fills ``DetectedFace/referenceSimilarity`` for the faces of a frame. Not thread-safe (it holds a network).
public final class IdentityVerifier {
    public let settings: IdentitySettings
    private let embedder: FaceEmbedder
    /// The candidate face last found matching: where it was, its similarity, frames since compared.
    private var matchedTrack: (box: BoundingBox, similarity: Double, age: Int)?
    /// The candidate face last found not matching, when the next frame may skip comparing it.
    private var mismatchedBox: BoundingBox?
    /// Embeddings computed so far (for tests and benchmarks).
    public private(set) var comparisons = 0

    public init(settings: IdentitySettings, backend: InferenceBackend = .openCV) throws(VisionError) {
        self.settings = settings
        embedder = try FaceEmbedder(modelPath: settings.modelPath, backend: backend)
    }

    /// Compares the faces (sorted largest first) with the reference. A face that cannot be aligned
    /// keeps no similarity: the identity rule treats it as "cannot tell", never as a stranger.
    public func annotate(_ faces: inout [DetectedFace], in image: Image) {
        switch settings.scope {
        case .everyFace:
            for index in faces.indices { compare(&faces[index], image) }
        case .candidate:
            let counted = faces.indices.filter { faces[$0].score >= settings.minFaceScore }
            guard let main = counted.max(by: { faces[$0].box.area < faces[$1].box.area }),
                settings.policy.isUsable(faces[main])
            else {
                matchedTrack = nil  // no usable candidate: the next one is compared afresh
                mismatchedBox = nil
                return
            }
            if settings.recheckMatchEvery > 1, let box = mismatchedBox, faces[main].box.iou(box) >= 0.5 {
                mismatchedBox = nil  // skip this frame only: the next one is compared again
                return
            }
            if let track = matchedTrack, track.age + 1 < settings.recheckMatchEvery, faces[main].box.iou(track.box) >= 0.5 {
                // The same face, matched moments ago: the student is still there.
                faces[main].referenceSimilarity = track.similarity
                matchedTrack = (faces[main].box, track.similarity, track.age + 1)
                return
            }
            compare(&faces[main], image)
            let similarity = faces[main].referenceSimilarity
            matchedTrack = similarity.flatMap { settings.policy.matches($0) ? (faces[main].box, $0, 0) : nil }
            mismatchedBox = similarity.flatMap { settings.policy.matches($0) ? nil : faces[main].box }
            guard let similarity = faces[main].referenceSimilarity, !settings.policy.matches(similarity) else { return }
            // The candidate does not match: a matching face elsewhere would mean the student is still here.
            for index in counted where index != main && settings.policy.isUsable(faces[index]) { compare(&faces[index], image) }
        }
    }

    private func compare(_ face: inout DetectedFace, _ image: Image) {
        guard let landmarks = face.landmarks, let embedding = try? embedder.embed(landmarks, in: image) else { return }
        face.referenceSimilarity = embedding.similarity(to: settings.reference)
        comparisons += 1
    }
}
