import CVShim
import ProctorCore
import ProctorImaging

/// YuNet through an ``InferenceNetwork`` (OpenVINO, or OpenCV's DNN for comparison) with the decoding
/// of `cv::FaceDetectorYN` done in Swift (``YuNetDecoder``): the same faces as ``YuNetFaceDetector``.
/// Input scaling is the same ``DetectionScale``.
///
/// Not thread-safe: use one instance per thread.
public final class YuNetNetworkDetector: FaceDetecting {
    private let network: any InferenceNetwork
    private let input = NetworkInput()
    private let outputNames = OutputNames(YuNetDecoder.outputNames)
    private var decoder: YuNetDecoder?
    public let scale: DetectionScale
    public let scoreThreshold: Double
    public let nmsThreshold: Double
    public var providesLandmarks: Bool { true }
    public var engine: InferenceEngine { network.engine }

    public convenience init(
        modelPath: String, backend: InferenceBackend, scoreThreshold: Double = 0.6, nmsThreshold: Double = 0.3,
        scale: DetectionScale = DetectionScale()
    ) throws(VisionError) {
        // YuNet takes any input size (the scaled frame's own): one dynamic-shape compilation serves them all.
        try self.init(network: backend.network(modelPath: modelPath, shapes: .dynamic), scoreThreshold: scoreThreshold,
                      nmsThreshold: nmsThreshold, scale: scale)
    }

    /// Over a network already loaded, which detectors used by the same thread may share (the first and
    /// second face passes: one compiled network instead of two).
    public init(
        network: any InferenceNetwork, scoreThreshold: Double = 0.6, nmsThreshold: Double = 0.3, scale: DetectionScale = DetectionScale()
    ) throws(VisionError) {
        self.network = network
        self.scale = scale
        self.scoreThreshold = scoreThreshold
        self.nmsThreshold = nmsThreshold
    }

    public func detect(in image: Image, timings: inout StageTimings) throws(VisionError) -> [DetectedFace] {
        let prepared = try scale.prepare(image, timings: &timings)
        let working = prepared.image
        guard working.width >= 16, working.height >= 16 else { throw VisionError("face detection: image too small for YuNet") }
        let outputs = try Stopwatch.measure(&timings.openCV) { () throws(VisionError) -> [TensorView] in
            try input.fill(from: working, width: working.width, height: working.height)
            return try network.forward(input, outputs: outputNames)
        }
        guard outputs.count == 3 else { throw VisionError("face detection: YuNet gave \(outputs.count) outputs, expected loc, conf, iou") }
        if decoder?.inputWidth != working.width || decoder?.inputHeight != working.height {
            decoder = YuNetDecoder(
                inputWidth: working.width, inputHeight: working.height, scoreThreshold: Float(scoreThreshold), nmsThreshold: Float(nmsThreshold))
        }
        guard let decoder else { return [] }
        let rows = try decoder.decode(loc: outputs[0].values, conf: outputs[1].values, iou: outputs[2].values)
        let imageWidth = Double(image.width), imageHeight = Double(image.height)
        // From here on as YuNetFaceDetector: back to the original image's pixels, clipped.
        return rows.compactMap { floats -> DetectedFace? in
            let row = floats.map(Double.init)
            let box = prepared.toOriginal(BoundingBox(x: row[0], y: row[1], width: row[2], height: row[3]))
                .clipped(width: imageWidth, height: imageHeight)
            guard box.area > 0 else { return nil }  // a face found only in the padding
            func point(_ i: Int) -> Point2D { prepared.toOriginal(Point2D(x: row[4 + 2 * i], y: row[5 + 2 * i])) }
            let landmarks = FaceLandmarks(rightEye: point(0), leftEye: point(1), nose: point(2), rightMouth: point(3), leftMouth: point(4))
            return DetectedFace(box: box, score: row[14], landmarks: landmarks)
        }
    }
}
