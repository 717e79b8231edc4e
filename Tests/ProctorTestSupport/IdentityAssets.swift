import Foundation
import ProctorCore
import ProctorImaging
import ProctorVision

/// The face-recognition pairs (fixtures/photos/deepface, from fixtures/deepface-manifest.json) and helpers
/// to embed faces with the real models.
public enum IdentityAssets {
    public static var deepfaceDirectory: URL { TestAssets.photosDirectory.appendingPathComponent("deepface") }
    public static func deepface(_ name: String) -> String { deepfaceDirectory.appendingPathComponent(name).path }
    public static var locator: ModelLocator { ModelLocator(directories: [TestAssets.modelsDirectory.path]) }

    /// One labelled pair of the pivot file.
    public struct Pair: Sendable, Hashable {
        public var first: String
        public var second: String
        public var samePerson: Bool
    }

    /// The pairs of `face-recognition-pivot.csv` (file names only; the decision column is Yes/No).
    public static func pivotPairs() throws -> [Pair] {
        let text = try String(contentsOfFile: deepface("face-recognition-pivot.csv"), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 3 else { return nil }
            func name(_ field: Substring) -> String { String(field.split(separator: "/").last ?? field) }
            return Pair(first: name(fields[0]), second: name(fields[1]), samePerson: fields[2] == "Yes")
        }
    }

    /// Embeds the largest face of images with the package's YuNet and MobileFaceNet. Not thread-safe.
    public final class Embedder {
        public let detector: YuNetFaceDetector
        public let embedder: FaceEmbedder
        public let loader = ImageLoader()

        public init(backend: InferenceBackend = .openCV) throws {
            let models = IdentityAssets.locator
            let yunet = try models.path(for: ModelLocator.faceModel).orThrow("YuNet model missing: run scripts/setup")
            let mobileFaceNet = try models.path(for: ModelLocator.embeddingModel).orThrow("MobileFaceNet model missing: run scripts/setup")
            detector = try YuNetFaceDetector(modelPath: yunet, scoreThreshold: 0.6)
            embedder = try FaceEmbedder(modelPath: mobileFaceNet, backend: backend)
        }

        /// The largest face of an image and its embedding; nil when no face is found.
        public func largestFace(_ image: Image) throws -> (face: DetectedFace, embedding: FaceEmbedding)? {
            var timings = StageTimings()
            let faces = try detector.detect(in: image, timings: &timings)
            guard let face = faces.max(by: { $0.box.area < $1.box.area }), let landmarks = face.landmarks else { return nil }
            return (face, try embedder.embed(landmarks, in: image))
        }
    }

    /// A webcam-like frame of a photo's largest face: the face cropped with its surroundings to 4:3,
    /// at `faceWidth` px in a 640 x 480 frame, softened (through half resolution) and re-encoded as
    /// JPEG at quality 60, as a cheap USB camera would deliver it.
    public static func webcamFrame(of image: Image, face: BoundingBox, faceWidth: Double = 160) throws -> Image {
        let scale = faceWidth / face.width
        let cropWidth = 640 / scale, cropHeight = 480 / scale
        let center = face.center
        let region = BoundingBox(x: center.x - cropWidth / 2, y: center.y - cropHeight * 0.45, width: cropWidth, height: cropHeight)
        // Pad first so the crop never leaves the image: a photo's edge becomes replicated border.
        let pad = Int(max(cropWidth, cropHeight).rounded(.up))
        let padded = try image.padded(top: pad, bottom: pad, left: pad, right: pad)
        let crop = try padded.cropped(
            to: BoundingBox(x: region.x + Double(pad), y: region.y + Double(pad), width: region.width, height: region.height))
        let soft = try crop.resized(width: 320, height: 240).resized(width: 640, height: 480)
        return try Image.decode(try soft.jpegData(quality: 60))
    }
}

extension IdentityAssets {
    /// Writes a replay of webcam-like 640 x 480 frames into `directory` (name order = time order):
    /// person A (img1/img6, the person of img2.jpg) for 10 frames, person B (img3/img54) for 12, then A
    /// for 14. At 2 fps: A 0-4.5 s, B 5-10.5 s, A 11-17.5 s.
    public static func writeABAReplay(into directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let embedder = try Embedder()
        func frame(_ name: String) throws -> [UInt8] {
            let image = try embedder.loader.load(path: deepface(name))
            let face = try (try embedder.largestFace(image)).orThrow("no face in \(name)").face
            return try webcamFrame(of: image, face: face.box).jpegData(quality: 90)
        }
        let student = [try frame("img1.jpg"), try frame("img6.jpg")]
        let stranger = [try frame("img3.jpg"), try frame("img54.jpg")]
        var index = 0
        for (frames, count) in [(student, 10), (stranger, 12), (student, 14)] {
            for step in 0..<count {
                let path = (directory as NSString).appendingPathComponent(String(format: "f%04d.jpg", index))
                try Data(frames[step % frames.count]).write(to: URL(fileURLWithPath: path))
                index += 1
            }
        }
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw VisionError(message) }
        return self
    }
}
