import Foundation
import ProctorCore
import ProctorImaging

/// A reference photo that cannot serve: why, in one line a user can act on.
public struct ReferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The photo itself is unusable (unreadable, not an image, no face, several faces, a face too
        /// small or turned): the caller gave a wrong reference.
        case unusablePhoto
        /// The models needed to compare faces are missing or broken.
        case configuration
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// Builds the reference embedding from a registration photo: exactly one clear face required.
public enum ReferenceFace {
    /// Loads `path`, finds its one clear face with the factory's face detector and embeds it.
    /// - Parameter policy: which faces are clear enough; `minFaceScore` which detections count as faces.
    public static func load(
        path: String, factory: VisionPipelineFactory, policy: IdentityPolicy, minFaceScore: Double, locator: ModelLocator
    ) throws(ReferenceError) -> FaceEmbedding {
        // Opening a FIFO or a device would block or read forever: only regular files (symlinks followed).
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ReferenceError(.unusablePhoto, "reference photo \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ReferenceError(.unusablePhoto, "reference photo \(path): not a regular file")
        }
        let image: Image
        do {
            image = try factory.loader.load(path: path)
        } catch {
            throw ReferenceError(.unusablePhoto, "reference photo \(path): \(error.message)")
        }
        return try embed(image, name: path, factory: factory, policy: policy, minFaceScore: minFaceScore, locator: locator)
    }

    /// The reference embedding of an already decoded photo (`name` is for messages).
    public static func embed(
        _ image: Image, name: String, factory: VisionPipelineFactory, policy: IdentityPolicy, minFaceScore: Double,
        locator: ModelLocator
    ) throws(ReferenceError) -> FaceEmbedding {
        guard let modelPath = locator.path(for: ModelLocator.embeddingModel) else {
            throw ReferenceError(.configuration, "face embedding model \(ModelLocator.embeddingModel) not found (run scripts/setup)")
        }
        guard let faceModelPath = factory.faceModelPath else {
            throw ReferenceError(.configuration, "identity checks need the YuNet face model \(ModelLocator.faceModel) (landmarks)")
        }
        let faces: [DetectedFace]
        let embedder: FaceEmbedder
        do {
            let detector = try YuNetFaceDetector(
                modelPath: faceModelPath, scoreThreshold: min(factory.configuration.faceScoreThreshold, minFaceScore),
                scale: factory.configuration.faceScale)
            var timings = StageTimings()
            var found = try detector.detect(in: image, timings: &timings).filter { $0.score >= minFaceScore }
            let pose = HeadPoseEstimator()
            for index in found.indices {
                guard let landmarks = found[index].landmarks else { continue }
                found[index].pose = try? pose.estimate(
                    landmarks, faceWidth: found[index].box.width, imageWidth: image.width, imageHeight: image.height, timings: &timings)
            }
            faces = found
            embedder = try FaceEmbedder(modelPath: modelPath, backend: factory.backend)
        } catch {
            throw ReferenceError(.configuration, "face models: \(error.message)")
        }
        guard let face = faces.first else {
            throw ReferenceError(.unusablePhoto, "reference photo \(name): no face found")
        }
        guard faces.count == 1 else {
            throw ReferenceError(.unusablePhoto, "reference photo \(name): \(faces.count) faces found; it must show only the student")
        }
        guard policy.isUsable(face) else {
            let side = Int(min(face.box.width, face.box.height))
            throw ReferenceError(
                .unusablePhoto,
                "reference photo \(name): the face is too small (\(side) px, need \(Int(policy.minFaceSide))) or turned away to compare")
        }
        guard let landmarks = face.landmarks else {
            throw ReferenceError(.unusablePhoto, "reference photo \(name): the face has no landmarks")
        }
        do {
            return try embedder.embed(landmarks, in: image)
        } catch {
            throw ReferenceError(.unusablePhoto, "reference photo \(name): \(error.message)")
        }
    }
}
