import CVShim
import Foundation
import ProctorCore
import ProctorImaging

/// Finds objects (persons, phones, and the other COCO classes) in an image.
public protocol ObjectDetecting {
    func detect(in image: Image, timings: inout StageTimings) throws(VisionError) -> [DetectedObject]
}

/// Thresholds for the object detector's output.
public struct ObjectThresholds: Sendable, Hashable, Codable {
    /// Detections below this score are dropped for every class...
    public var minScore: Double = 0.3
    /// ...except these classes, which get their own (lower) thresholds: a phone is small and often
    /// partly hidden by a hand, and its evidence matters more than a dog's.
    public var classMinScore: [Int: Double] = [COCOLabels.cellPhone: 0.1]
    /// Class-aware NMS IoU.
    public var nmsIoU: Double = 0.45

    public init() {}

    func threshold(for classIndex: Int) -> Double { classMinScore[classIndex] ?? minScore }

    var lowestThreshold: Double { min(minScore, classMinScore.values.min() ?? minScore) }
}

/// YOLOX (Megvii, COCO-80) through an ``InferenceNetwork`` (OpenCV's DNN module or OpenVINO).
///
/// The network sees the frame letterboxed top-left into `inputSize` along the frame's long side and the
/// next multiple of 32 along its short side (a 4:3 webcam frame becomes 416x320, not 416x416: a quarter
/// less compute for the same resolution, since YOLOX is fully convolutional); its raw output
/// (`[dx, dy, log w, log h, objectness, 80 class probabilities]` per anchor-free grid cell, strides
/// 8/16/32) is decoded here. Not thread-safe: use one instance per thread.
public final class YOLOXDetector: ObjectDetecting {
    private let network: any InferenceNetwork
    private let input = NetworkInput()
    private static let outputNames = OutputNames(["output"])
    public let inputSize: Int
    /// Every input padded to `inputSize` square (YOLOX's own letterbox): one compiled size whatever the
    /// crop's shape, or inside ``canvas`` at the square's scale. The zoomed look uses it; the full frame
    /// keeps the tighter multiple-of-32 shape.
    public let square: Bool
    public var thresholds: ObjectThresholds
    /// For a square detector: a larger input that already holds the square (the full look's shape for
    /// this frame), in which the crop is placed at the square's scale (same pixels, more padding), so no
    /// size of its own is compiled: that compilation held 29 MB in the monitor (peak 183 against 155 MB
    /// on 30 weak-phone frames), and scripts/evaluate gives identical results on both engines.
    var canvas: InputShape?
    private var grids: [InputShape: [(x: Float, y: Float, stride: Float)]] = [:]

    /// The network's input width and height for one frame.
    struct InputShape: Hashable {
        var width: Int
        var height: Int
    }

    /// `backend` runs the forward pass (OpenCV DNN or OpenVINO); everything else is the same on both.
    public convenience init(
        modelPath: String, inputSize: Int = 416, thresholds: ObjectThresholds = ObjectThresholds(), square: Bool = false,
        backend: InferenceBackend = .openCV
    ) throws(VisionError) {
        // Input sizes are multiples of 32 up to inputSize on each side: a few, each compiled once.
        let network: any InferenceNetwork
        do {
            network = try backend.yoloxNetwork(modelPath: modelPath, shapes: Self.shapes)
        } catch {
            throw VisionError("object \(error.message)")
        }
        try self.init(network: network, inputSize: inputSize, thresholds: thresholds, square: square)
    }

    /// How an OpenVINO network for this detector is compiled (one model per input size, 8 kept).
    public static let shapes = OpenVINONetwork.Shapes.perSize(count: 8)

    /// Over a network already loaded, which detectors used by the same thread may share (the full frame
    /// and the zoomed look: one network holding both input sizes' compilations).
    public init(
        network: any InferenceNetwork, inputSize: Int = 416, thresholds: ObjectThresholds = ObjectThresholds(), square: Bool = false
    ) throws(VisionError) {
        guard inputSize >= 64, inputSize % 32 == 0 else { throw VisionError("object input size must be a multiple of 32, at least 64") }
        self.network = network
        self.inputSize = inputSize
        self.square = square
        self.thresholds = thresholds
    }

    /// A square detector's one input size, to compile before the first frame (the full frame's size
    /// depends on the frame); nil where nothing is compiled per size.
    var preparation: NetworkPreparation? {
        guard square, let network = network as? OpenVINONetwork else { return nil }
        return NetworkPreparation(network: network, width: inputSize, height: inputSize)
    }

    /// The long side at `inputSize`, the short side scaled alike and rounded up to a multiple of 32.
    func inputShape(width: Int, height: Int) -> InputShape {
        if square {
            if let canvas, canvas.width >= inputSize, canvas.height >= inputSize { return canvas }
            return InputShape(width: inputSize, height: inputSize)
        }
        let long = max(width, height), short = min(width, height)
        let scaled = Double(inputSize) * Double(short) / Double(max(long, 1))
        let padded = min(inputSize, max(32, Int((scaled / 32).rounded(.up)) * 32))
        return width >= height ? InputShape(width: inputSize, height: padded) : InputShape(width: padded, height: inputSize)
    }

    private func grid(for shape: InputShape) -> [(x: Float, y: Float, stride: Float)] {
        if let cached = grids[shape] { return cached }
        var cells: [(x: Float, y: Float, stride: Float)] = []
        for stride in [8, 16, 32] {
            for y in 0..<(shape.height / stride) {
                for x in 0..<(shape.width / stride) { cells.append((Float(x), Float(y), Float(stride))) }
            }
        }
        grids[shape] = cells
        return cells
    }

    public func detect(in image: Image, timings: inout StageTimings) throws(VisionError) -> [DetectedObject] {
        let shape = inputShape(width: image.width, height: image.height)
        let grid = grid(for: shape)
        let tensor = try Stopwatch.measure(&timings.openCV) { () throws(VisionError) -> TensorView? in
            try input.fill(
                from: image, width: shape.width, height: shape.height, content: square ? (inputSize, inputSize) : nil,
                padValue: 114, layout: network.inputLayout)
            return try network.forward(input, outputs: Self.outputNames).first
        }
        let scale = input.letterboxScale
        let cols = Int32(tensor?.shape.last ?? 0)
        let rows = cols > 0 ? Int32((tensor?.values.count ?? 0) / Int(cols)) : 0
        guard let output = tensor?.values.baseAddress, Int(rows) == grid.count, cols >= 6, scale > 0 else {
            throw VisionError("object detection: unexpected output \(rows)x\(cols) for input \(shape.width)x\(shape.height)")
        }
        let classCount = Int(cols) - 5
        let floor = Float(thresholds.lowestThreshold)
        // Per-class thresholds and the watched classes looked up once per frame, not per grid cell.
        let classThreshold = (0..<classCount).map { thresholds.threshold(for: $0) }
        let watchedClasses = thresholds.classMinScore.keys.filter { $0 >= 0 && $0 < classCount }
        var boxes: [BoundingBox] = []
        var scores: [Double] = []
        var classes: [Int] = []
        let imageWidth = Double(image.width), imageHeight = Double(image.height)
        for row in 0..<Int(rows) {
            let values = output + row * Int(cols)
            let objectness = values[4]
            if objectness < floor { continue }  // the score is objectness x class probability: cheap reject
            var best = 0
            var bestProbability: Float = 0
            for c in 0..<classCount where values[5 + c] > bestProbability {
                bestProbability = values[5 + c]
                best = c
            }
            // Classes watched on their own (phones) are scored even when another class wins the argmax:
            // a phone in a hand often looks a little more like a remote.
            let bestScore = Double(objectness * bestProbability)
            let bestPasses = bestScore >= classThreshold[best]
            guard bestPasses || watchedClasses.contains(where: { $0 != best && Double(objectness * values[5 + $0]) >= classThreshold[$0] })
            else { continue }
            let cell = grid[row]
            let cx = (values[0] + cell.x) * cell.stride, cy = (values[1] + cell.y) * cell.stride
            let w = exp(values[2]) * cell.stride, h = exp(values[3]) * cell.stride
            let box = BoundingBox(x: Double(cx - w / 2), y: Double(cy - h / 2), width: Double(w), height: Double(h))
                .scaled(by: 1 / scale).clipped(width: imageWidth, height: imageHeight)
            guard box.area > 0 else { continue }
            if bestPasses {
                boxes.append(box)
                scores.append(bestScore)
                classes.append(best)
            }
            for watched in watchedClasses where watched != best {
                let score = Double(objectness * values[5 + watched])
                guard score >= classThreshold[watched] else { continue }
                boxes.append(box)
                scores.append(score)
                classes.append(watched)
            }
        }
        return NonMaximumSuppression.select(boxes: boxes, scores: scores, classes: classes, iouThreshold: thresholds.nmsIoU).map {
            DetectedObject(label: COCOLabels.name(classes[$0]), classIndex: classes[$0], score: scores[$0], box: boxes[$0])
        }
    }
}
