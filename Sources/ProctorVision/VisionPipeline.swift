import Foundation
import ProctorCore
import ProctorImaging
import Synchronization

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
    /// The second face pass, run when the first leaves doubt.
    public var faceSearch = FaceSearchSettings()
    /// The zoomed second look at weak phone candidates.
    public var phoneSecondLook = PhoneSecondLookSettings()

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case faceScale, faceScoreThreshold, objectInputSize, objectThresholds, detectObjects, estimatePose, qualitySampleSide
        case faceSearch, phoneSecondLook
    }

    /// Absent keys keep their defaults (configurations stored before a key existed still decode).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = VisionConfiguration()
        faceScale = try c.decodeIfPresent(DetectionScale.self, forKey: .faceScale) ?? d.faceScale
        faceScoreThreshold = try c.decodeIfPresent(Double.self, forKey: .faceScoreThreshold) ?? d.faceScoreThreshold
        objectInputSize = try c.decodeIfPresent(Int.self, forKey: .objectInputSize) ?? d.objectInputSize
        objectThresholds = try c.decodeIfPresent(ObjectThresholds.self, forKey: .objectThresholds) ?? d.objectThresholds
        detectObjects = try c.decodeIfPresent(Bool.self, forKey: .detectObjects) ?? d.detectObjects
        estimatePose = try c.decodeIfPresent(Bool.self, forKey: .estimatePose) ?? d.estimatePose
        qualitySampleSide = try c.decodeIfPresent(Int.self, forKey: .qualitySampleSide) ?? d.qualitySampleSide
        faceSearch = try c.decodeIfPresent(FaceSearchSettings.self, forKey: .faceSearch) ?? d.faceSearch
        phoneSecondLook = try c.decodeIfPresent(PhoneSecondLookSettings.self, forKey: .phoneSecondLook) ?? d.phoneSecondLook
    }

    /// The phone score the verdicts need; weaker phones are reported only down to the detector's own floor.
    var reportedPhoneScore: Double { objectThresholds.threshold(for: COCOLabels.cellPhone) }
}

/// One frame in, one ``FrameAnalysis`` out: faces with landmarks and head pose, objects, frame quality.
///
/// Holds OpenCV models, which are not thread-safe: create one pipeline per thread (see
/// ``VisionPipelineFactory``).
public final class VisionPipeline {
    public let configuration: VisionConfiguration
    private let faceSearch: FaceSearch
    private let objectSearch: ObjectSearch?
    private let poseEstimator = HeadPoseEstimator()
    public let loader: ImageLoader
    /// Compares faces with a reference photo; nil (no cost at all) without a reference.
    public var identity: IdentityVerifier?
    /// Where the face stage's first pass runs while the object stage does (see ``runsPassesConcurrently``).
    private var sideThread: DispatchQueue?

    /// Whether the face and object networks' first passes run at the same time on two threads: one frame
    /// finishes sooner for twice the cores. For batch jobs when cores are spare (``BatchAnalyzer``), never
    /// the monitor (its budget is one inference thread). Results are the same either way.
    public var runsPassesConcurrently: Bool {
        get { sideThread != nil }
        set { sideThread = newValue ? (sideThread ?? DispatchQueue(label: "proctor-first-face-pass")) : nil }
    }

    /// A pipeline over single-pass detectors (no second looks).
    public convenience init(
        configuration: VisionConfiguration, faceDetector: any FaceDetecting, objectDetector: (any ObjectDetecting)?,
        loader: ImageLoader = ImageLoader()
    ) {
        var single = configuration
        single.faceSearch.enabled = false
        single.phoneSecondLook.enabled = false
        self.init(
            configuration: single,
            faceSearch: FaceSearch(first: faceDetector, second: nil, settings: single.faceSearch, reportScore: configuration.faceScoreThreshold),
            objectSearch: objectDetector.map {
                ObjectSearch(full: $0, zoom: nil, settings: single.phoneSecondLook, reportPhoneScore: configuration.reportedPhoneScore)
            },
            loader: loader)
    }

    public init(configuration: VisionConfiguration, faceSearch: FaceSearch, objectSearch: ObjectSearch?, loader: ImageLoader = ImageLoader()) {
        self.configuration = configuration
        self.faceSearch = faceSearch
        self.objectSearch = objectSearch
        self.loader = loader
    }

    /// How often the second looks ran since the pipeline was made: (face passes, phone looks).
    public var secondLooks: (faces: Int, phones: Int) { (faceSearch.secondPasses, objectSearch?.secondLooks ?? 0) }

    /// Reads, decodes and analyses an image file.
    public func analyze(path: String) throws(VisionError) -> (FrameAnalysis, Image) {
        var timings = StageTimings()
        return try analyze(path: path, timings: &timings)
    }

    /// Reads, decodes and analyses an image file, measuring every stage (decoding included) into `timings`.
    public func analyze(path: String, timings: inout StageTimings) throws(VisionError) -> (FrameAnalysis, Image) {
        let total = Stopwatch()
        let image = try Stopwatch.measure(&timings.decode) { () throws(VisionError) -> Image in
            let bytes = try loader.readFile(path)
            return try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in try loader.decode(bytes, source: path) }
        }
        let analysis: FrameAnalysis
        do {
            analysis = try analyze(image, timings: &timings)
        } catch {
            throw error.kind(.engineFailure)  // the image decoded: what failed is not the image's fault
        }
        timings.total = total.elapsedMilliseconds
        return (analysis, image)
    }

    /// Analyses a decoded frame.
    /// - Parameter detectObjects: false skips the object detector for this frame (the result says so in
    ///   ``FrameAnalysis/objectsChecked``).
    public func analyze(_ image: Image, detectObjects: Bool = true) throws(VisionError) -> FrameAnalysis {
        var timings = StageTimings()
        return try analyze(image, timings: &timings, detectObjects: detectObjects)
    }

    /// Analyses a decoded frame, adding the time of each stage to `timings`; `timings.total` becomes
    /// `timings.decode` plus this analysis.
    public func analyze(_ image: Image, timings: inout StageTimings, detectObjects: Bool = true) throws(VisionError)
        -> FrameAnalysis
    {
        let total = Stopwatch()
        let quality = try Stopwatch.measure(&timings.quality) { () throws(VisionError) in
            try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in try image.quality(sampleSide: configuration.qualitySampleSide) }
        }
        // Objects first: their persons tell the face stage when fewer faces than people were found.
        var objects: [DetectedObject] = []
        let runObjects = detectObjects && objectSearch != nil
        var stage = Stopwatch()
        // The face stage's first pass needs no objects: with a side thread it runs during the object stage.
        let firstFaces: FirstFacePass? = if runObjects, let sideThread { FirstFacePass(faceSearch, image, on: sideThread) } else { nil }
        if runObjects, let objectSearch {
            do {
                objects = try objectSearch.detect(in: image, timings: &timings)
            } catch {
                firstFaces?.wait()  // the detector may not be left running while the caller moves on
                throw error
            }
            timings.objects += stage.elapsedMilliseconds
        }
        var faces: [DetectedFace]
        if let firstFaces {
            // The face stage's time is its own work (the first pass, then the rest), not the wait for it.
            let (found, faceTimings) = firstFaces.result()
            timings.faces += faceTimings.faces
            timings.openCV += faceTimings.openCV
            stage = Stopwatch()
            faces = try faceSearch.refine(found.get(), in: image, objects: objects, quality: quality, timings: &timings)
        } else {
            stage = Stopwatch()
            faces = try faceSearch.detect(in: image, objects: objects, quality: quality, timings: &timings)
        }
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
        timings.total = timings.decode + total.elapsedMilliseconds
        return FrameAnalysis(
            width: image.width, height: image.height, faces: faces, objects: objects, quality: quality, objectsChecked: runObjects)
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
    /// Compile the networks' known input sizes when the pipeline is made, side by side (batch jobs: no
    /// image waits for a compile mid-run). The monitor leaves it off: on a 4:3 camera the zoomed look runs
    /// inside the full frame's compiled size, and its own 320x320 compilation would hold about 29 MB for
    /// nothing (10 minutes side by side: 174 MB compiled ahead, 145 MB on first use).
    public var compileAhead = false
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

    /// Loads the models: any failure is the worker's (``VisionError/Kind/modelUnavailable``), whatever
    /// the layer below called it.
    public func makePipeline() throws(VisionError) -> VisionPipeline {
        do {
            return try assemblePipeline()
        } catch {
            throw error.kind(.modelUnavailable)
        }
    }

    private func assemblePipeline() throws(VisionError) -> VisionPipeline {
        // Compilations known in advance (OpenVINO), run together at the end.
        var preparations: [NetworkPreparation] = []
        var search = configuration.faceSearch
        search.firstPassSide = configuration.faceScale.workingSide
        search.firstPassMinimumSide = configuration.faceScale.minimumSide
        let faces: FaceSearch
        if let faceModelPath {
            // Both passes report candidates down to the search's floor; the search reports the configured score.
            let candidateScore = search.enabled ? min(configuration.faceScoreThreshold, search.candidateScore) : configuration.faceScoreThreshold
            // On OpenVINO both passes share one dynamic-shape network (they run one after the other).
            let network = backend.engine == .openvino ? try backend.network(modelPath: faceModelPath, shapes: .dynamic) : nil
            if let network = network as? OpenVINONetwork {
                let side = configuration.faceScale.workingSide
                preparations.append(NetworkPreparation(network: network, width: side, height: side))
            }
            let first = try faceDetector(modelPath: faceModelPath, network: network, scoreThreshold: candidateScore, scale: configuration.faceScale)
            var secondScale = configuration.faceScale
            secondScale.workingSide = max(search.secondPassSide, configuration.faceScale.workingSide)
            let second = search.enabled && secondScale.workingSide > configuration.faceScale.workingSide
                ? try faceDetector(modelPath: faceModelPath, network: network, scoreThreshold: candidateScore, scale: secondScale) : nil
            faces = FaceSearch(first: first, second: second, settings: search, reportScore: configuration.faceScoreThreshold)
        } else {
            faces = FaceSearch(
                first: try HaarFaceDetector(cascadePath: haarCascadePath), second: nil, settings: search,
                reportScore: configuration.faceScoreThreshold)
        }
        var objects: ObjectSearch?
        if configuration.detectObjects, let objectModelPath {
            let look = configuration.phoneSecondLook
            var thresholds = configuration.objectThresholds
            if look.enabled {
                thresholds.classMinScore[COCOLabels.cellPhone] = min(configuration.reportedPhoneScore, look.minCandidateScore)
            }
            let full: YOLOXDetector
            let zoom: YOLOXDetector?
            if backend.engine == .openvino {
                // One network holds both looks' compilations (416x320 and 320x320 for a webcam frame).
                // OpenCV's DNN reallocates its layers whenever the input size changes, so there each look keeps its own.
                let network: any InferenceNetwork
                do {
                    network = try backend.yoloxNetwork(modelPath: objectModelPath, shapes: YOLOXDetector.shapes)
                } catch {
                    throw VisionError("object \(error.message)")
                }
                full = try YOLOXDetector(network: network, inputSize: configuration.objectInputSize, thresholds: thresholds)
                zoom = look.enabled
                    ? try YOLOXDetector(network: network, inputSize: look.inputSize, thresholds: thresholds, square: true) : nil
            } else {
                full = try YOLOXDetector(
                    modelPath: objectModelPath, inputSize: configuration.objectInputSize, thresholds: thresholds, backend: backend)
                zoom = look.enabled
                    ? try YOLOXDetector(
                        modelPath: objectModelPath, inputSize: look.inputSize, thresholds: thresholds, square: true, backend: backend)
                    : nil
            }
            objects = ObjectSearch(full: full, zoom: zoom, settings: look, reportPhoneScore: configuration.reportedPhoneScore)
            if let preparation = zoom?.preparation { preparations.append(preparation) }
        }
        if compileAhead { try Self.prepareInParallel(preparations) }
        let pipeline = VisionPipeline(configuration: configuration, faceSearch: faces, objectSearch: objects, loader: loader)
        if let identity { pipeline.identity = try IdentityVerifier(settings: identity, backend: backend) }
        return pipeline
    }

    /// Compiles what can be compiled before the first frame, side by side (each is its own network):
    /// otherwise the first weak phone stalls a frame for the zoomed look's compile (0.6 s of CPU), and a
    /// short batch pays the face and zoom compiles one after the other.
    private static func prepareInParallel(_ preparations: [NetworkPreparation]) throws(VisionError) {
        let failures = Mutex<[VisionError]>([])
        let work = Preparations(list: preparations)
        DispatchQueue.concurrentPerform(iterations: preparations.count) { index in
            let preparation = work.list[index]
            do throws(VisionError) {
                try preparation.network.prepare(width: preparation.width, height: preparation.height)
            } catch {
                failures.withLock { $0.append(error) }
            }
        }
        if let failure = failures.withLock({ $0.first }) { throw failure }
    }

    /// Each preparation touches its own network only, and all have returned when concurrentPerform does.
    private struct Preparations: @unchecked Sendable {
        let list: [NetworkPreparation]
    }

    /// YuNet on the selected engine: FaceDetectorYN on OpenCV; on OpenVINO the same faces, decoded in
    /// Swift from the network's raw outputs.
    private func faceDetector(modelPath: String, network: (any InferenceNetwork)?, scoreThreshold: Double, scale: DetectionScale)
        throws(VisionError) -> any FaceDetecting
    {
        if let network {
            return try YuNetNetworkDetector(network: network, scoreThreshold: scoreThreshold, scale: scale)
        }
        if backend.engine == .opencv {
            return try YuNetFaceDetector(modelPath: modelPath, scoreThreshold: scoreThreshold, scale: scale)
        }
        return try YuNetNetworkDetector(modelPath: modelPath, backend: backend, scoreThreshold: scoreThreshold, scale: scale)
    }
}
