import Foundation
import ProctorCore

/// Settings of the per-frame pipeline.
public struct VisionConfiguration: Sendable, Hashable, Codable {
    /// Face detection input scaling.
    public var faceScale = DetectionScale()
    /// Faces below this YuNet score are not reported at all.
    public var faceScoreThreshold = 0.6
    /// The object detector's square input side (multiple of 32): 416 is YOLOX-nano's native size,
    /// 320 is about twice as fast.
    public var objectInputSize = 416
    public var objectThresholds = ObjectThresholds()
    /// Whether to run the object detector at all.
    public var detectObjects = true
    /// Whether to estimate head pose for faces with landmarks.
    public var estimatePose = true
    /// Side of the copy on which brightness and contrast are measured.
    public var qualitySampleSide = 160

    public init() {}
}

/// One frame in, one ``FrameAnalysis`` out: faces with landmarks and head pose, objects, frame quality.
///
/// Holds OpenCV models, which are not thread-safe: create one pipeline per thread (see
/// ``VisionPipelineFactory``).
public final class VisionPipeline {
    public let configuration: VisionConfiguration
    private let faceDetector: any FaceDetecting
    private let objectDetector: (any ObjectDetecting)?
    private let poseEstimator = HeadPoseEstimator()
    public let loader: ImageLoader
    /// Compares faces with a reference photo; nil (no cost at all) without a reference.
    public var identity: IdentityVerifier?

    public init(
        configuration: VisionConfiguration, faceDetector: any FaceDetecting, objectDetector: (any ObjectDetecting)?,
        loader: ImageLoader = ImageLoader()
    ) {
        self.configuration = configuration
        self.faceDetector = faceDetector
        self.objectDetector = objectDetector
        self.loader = loader
    }

    /// Reads, decodes and analyses an image file.
    public func analyze(path: String) throws(VisionError) -> (FrameAnalysis, Image) {
        var timings = StageTimings()
        let total = Stopwatch()
        let image = try Stopwatch.measure(&timings.decode) { () throws(VisionError) -> Image in
            let bytes = try loader.readFile(path)
            return try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in try loader.decode(bytes) }
        }
        var analysis: FrameAnalysis
        do {
            analysis = try analyze(image, timings: timings)
        } catch {
            throw error.fromPipeline  // the image decoded: what failed is not the image's fault
        }
        analysis.timings.total = total.elapsedMilliseconds
        return (analysis, image)
    }

    /// Analyses a decoded frame.
    /// - Parameter detectObjects: false skips the object detector for this frame (the result says so in
    ///   ``FrameAnalysis/objectsChecked``).
    public func analyze(_ image: Image, timings: StageTimings = StageTimings(), detectObjects: Bool = true) throws(VisionError)
        -> FrameAnalysis
    {
        var timings = timings
        let total = Stopwatch()
        let quality = try Stopwatch.measure(&timings.quality) { () throws(VisionError) in
            try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in try image.quality(sampleSide: configuration.qualitySampleSide) }
        }
        var stage = Stopwatch()
        var faces = try faceDetector.detect(in: image, timings: &timings)
        timings.faces += stage.elapsedMilliseconds
        if configuration.estimatePose {
            stage = Stopwatch()
            for index in faces.indices {
                guard let landmarks = faces[index].landmarks else { continue }
                faces[index].pose = try poseEstimator.estimate(landmarks, faceWidth: faces[index].box.width, imageWidth: image.width, imageHeight: image.height, timings: &timings)
            }
            timings.pose += stage.elapsedMilliseconds
        }
        faces.sort { $0.box.area > $1.box.area }
        if let identity {
            stage = Stopwatch()
            identity.annotate(&faces, in: image)
            timings.identity = stage.elapsedMilliseconds
        }
        var objects: [DetectedObject] = []
        let runObjects = detectObjects && objectDetector != nil
        if runObjects, let objectDetector {
            stage = Stopwatch()
            objects = try objectDetector.detect(in: image, timings: &timings)
            timings.objects += stage.elapsedMilliseconds
        }
        timings.total = timings.decode + total.elapsedMilliseconds
        return FrameAnalysis(
            width: image.width, height: image.height, faces: faces, objects: objects, quality: quality, timings: timings,
            objectsChecked: runObjects)
    }
}

/// Builds pipelines from model files on disk: one per worker thread.
public struct VisionPipelineFactory: Sendable {
    public var configuration: VisionConfiguration
    public var faceModelPath: String?
    public var objectModelPath: String?
    public var haarCascadePath: String
    public var loader: ImageLoader
    /// The engine of the networks' forward passes (see ``InferenceBackend/resolve(_:)``).
    public var backend: InferenceBackend = .openCV
    /// Set to compare faces with a reference photo (see ``ReferenceFace``).
    public var identity: IdentitySettings?

    /// What the factory will use, in words (for logs and `proctor doctor`).
    public var warnings: [String] {
        var result: [String] = []
        if faceModelPath == nil {
            result.append("YuNet model \(ModelLocator.faceModel) not found: falling back to the Haar cascade (no landmarks, no head pose)")
        }
        if objectModelPath == nil, configuration.detectObjects {
            result.append("object model \(ModelLocator.objectModel) not found: phones and extra persons will not be detected")
        }
        return result
    }

    public init(
        configuration: VisionConfiguration = VisionConfiguration(), locator: ModelLocator = ModelLocator(),
        loader: ImageLoader = ImageLoader()
    ) {
        self.configuration = configuration
        faceModelPath = locator.path(for: ModelLocator.faceModel)
        objectModelPath = locator.path(for: ModelLocator.objectModel)
        haarCascadePath = HaarFaceDetector.defaultCascadePath
        self.loader = loader
    }

    public func makePipeline() throws(VisionError) -> VisionPipeline {
        let faces: any FaceDetecting
        if let faceModelPath, backend.engine == .opencv {
            faces = try YuNetFaceDetector(
                modelPath: faceModelPath, scoreThreshold: configuration.faceScoreThreshold, scale: configuration.faceScale)
        } else if let faceModelPath {
            // Same faces as FaceDetectorYN, decoded in Swift from the network's raw outputs.
            faces = try YuNetNetworkDetector(
                modelPath: faceModelPath, backend: backend, scoreThreshold: configuration.faceScoreThreshold, scale: configuration.faceScale)
        } else {
            faces = try HaarFaceDetector(cascadePath: haarCascadePath)
        }
        var objects: (any ObjectDetecting)?
        if configuration.detectObjects, let objectModelPath {
            objects = try YOLOXDetector(
                modelPath: objectModelPath, inputSize: configuration.objectInputSize, thresholds: configuration.objectThresholds,
                backend: backend)
        }
        let pipeline = VisionPipeline(configuration: configuration, faceDetector: faces, objectDetector: objects, loader: loader)
        if let identity { pipeline.identity = try IdentityVerifier(settings: identity) }
        return pipeline
    }
}
