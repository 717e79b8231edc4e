import CVShim
import Foundation
import ProctorCore

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

/// YOLOX (Megvii, COCO-80) through OpenCV's DNN module.
///
/// The network sees the frame letterboxed top-left into a square of `inputSize`; its raw output
/// (`[dx, dy, log w, log h, objectness, 80 class probabilities]` per anchor-free grid cell, strides
/// 8/16/32) is decoded here. Not thread-safe: use one instance per thread.
public final class YOLOXDetector: ObjectDetecting {
    private let handle: OpaquePointer
    public let inputSize: Int
    public var thresholds: ObjectThresholds
    private let grid: [(x: Float, y: Float, stride: Float)]

    public init(modelPath: String, inputSize: Int = 416, thresholds: ObjectThresholds = ObjectThresholds()) throws(VisionError) {
        guard inputSize >= 64, inputSize % 32 == 0 else { throw VisionError("object input size must be a multiple of 32, at least 64") }
        var out: OpaquePointer?
        try shim("object model \(modelPath)") { pv_net_load_onnx(modelPath, &out, $0, $1) }
        guard let out else { throw VisionError("object model \(modelPath): not loaded") }
        handle = out
        self.inputSize = inputSize
        self.thresholds = thresholds
        var cells: [(x: Float, y: Float, stride: Float)] = []
        for stride in [8, 16, 32] {
            let side = inputSize / stride
            for y in 0..<side {
                for x in 0..<side { cells.append((Float(x), Float(y), Float(stride))) }
            }
        }
        grid = cells
    }

    deinit { pv_net_free(handle) }

    public func detect(in image: Image, timings: inout StageTimings) throws(VisionError) -> [DetectedObject] {
        var scale = 1.0
        var output: UnsafePointer<Float>?
        var rows: Int32 = 0
        var cols: Int32 = 0
        try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in
            try shim("object detection") {
                pv_net_forward_letterbox(handle, image.handle, Int32(inputSize), Int32(inputSize), 114, &scale, &output, &rows, &cols, $0, $1)
            }
        }
        guard let output, Int(rows) == grid.count, cols >= 6, scale > 0 else {
            throw VisionError("object detection: unexpected output \(rows)x\(cols) for input \(inputSize)")
        }
        let classCount = Int(cols) - 5
        let floor = Float(thresholds.lowestThreshold)
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
            var candidates: [(Int, Double)] = [(best, Double(objectness * bestProbability))]
            for watched in thresholds.classMinScore.keys where watched != best && watched < classCount {
                candidates.append((watched, Double(objectness * values[5 + watched])))
            }
            let cell = grid[row]
            let cx = (values[0] + cell.x) * cell.stride, cy = (values[1] + cell.y) * cell.stride
            let w = exp(values[2]) * cell.stride, h = exp(values[3]) * cell.stride
            let box = BoundingBox(x: Double(cx - w / 2), y: Double(cy - h / 2), width: Double(w), height: Double(h))
                .scaled(by: 1 / scale).clipped(width: imageWidth, height: imageHeight)
            guard box.area > 0 else { continue }
            for (classIndex, score) in candidates where score >= thresholds.threshold(for: classIndex) {
                boxes.append(box)
                scores.append(score)
                classes.append(classIndex)
            }
        }
        return NonMaximumSuppression.select(boxes: boxes, scores: scores, classes: classes, iouThreshold: thresholds.nmsIoU).map {
            DetectedObject(label: COCOLabels.name(classes[$0]), classIndex: classes[$0], score: scores[$0], box: boxes[$0])
        }
    }
}
