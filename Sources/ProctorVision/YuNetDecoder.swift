import Foundation
import ProctorCore
import ProctorImaging

/// Decodes YuNet 2022mar's raw outputs exactly as OpenCV 4.6's `cv::FaceDetectorYN` does
/// (modules/objdetect/src/face_detect.cpp of 4.5.4-4.7): anchor priors over four feature maps
/// (strides 8, 16, 32, 64), SSD-style box and landmark deltas with variances 0.1/0.2, score
/// sqrt(face probability x clamped IoU), then OpenCV's `NMSBoxes` on integer boxes.
///
/// The outputs are `loc` (N x 14: box deltas, 5 landmark deltas), `conf` (N x 2: background, face) and
/// `iou` (N x 1), one row per prior. Arithmetic is in Float, in OpenCV's order, so the faces match.
struct YuNetDecoder {
    let inputWidth: Int
    let inputHeight: Int
    let scoreThreshold: Float
    let nmsThreshold: Float
    let topK: Int
    /// cx, cy, w, h as fractions of the input, in OpenCV's order.
    private(set) var priors: [(x: Float, y: Float, width: Float, height: Float)] = []

    static let outputNames = ["loc", "conf", "iou"]
    private static let minSizes: [[Float]] = [[10, 16, 24], [32, 48], [64, 96], [128, 192, 256]]
    private static let steps = [8, 16, 32, 64]

    init(inputWidth: Int, inputHeight: Int, scoreThreshold: Float, nmsThreshold: Float, topK: Int = 5000) {
        self.inputWidth = inputWidth
        self.inputHeight = inputHeight
        self.scoreThreshold = scoreThreshold
        self.nmsThreshold = nmsThreshold
        self.topK = topK
        // Feature map sizes: the 2nd is ((w+1)/2)/2, each next one half the previous; priors sit on the 3rd to 6th.
        var width = ((inputWidth + 1) / 2) / 2, height = ((inputHeight + 1) / 2) / 2
        let w = Float(inputWidth), h = Float(inputHeight)
        for (level, sizes) in Self.minSizes.enumerated() {
            width /= 2
            height /= 2
            let step = Float(Self.steps[level])
            for row in 0..<height {
                for column in 0..<width {
                    for size in sizes {
                        priors.append((x: (Float(column) + 0.5) * step / w, y: (Float(row) + 0.5) * step / h, width: size / w, height: size / h))
                    }
                }
            }
        }
    }

    /// Rows of 15 floats (box x, y, w, h, five landmarks, score) in the input's pixels, best first.
    func decode(loc: UnsafeBufferPointer<Float>, conf: UnsafeBufferPointer<Float>, iou: UnsafeBufferPointer<Float>) throws(VisionError)
        -> [[Float]]
    {
        let count = priors.count
        guard loc.count == count * 14, conf.count == count * 2, iou.count == count else {
            throw VisionError(
                "face detection: YuNet gave \(loc.count / 14) rows for \(count) priors at \(inputWidth)x\(inputHeight) (not the 2022mar model?)")
        }
        guard count > 0, let deltas = loc.baseAddress else { return [] }
        let w = Float(inputWidth), h = Float(inputHeight)
        var rows: [[Float]] = []
        for i in 0..<count {
            let score = (conf[i * 2 + 1] * min(max(iou[i], 0), 1)).squareRoot()
            // OpenCV decodes every prior and lets NMSBoxes drop those at or below the threshold; skipping
            // them here first gives the same result (except with a single prior, kept below).
            guard score > scoreThreshold || count <= 1 else { continue }
            let prior = priors[i]
            let d = deltas + i * 14
            let cx = (prior.x + d[0] * 0.1 * prior.width) * w
            let cy = (prior.y + d[1] * 0.1 * prior.height) * h
            let bw = prior.width * exp(d[2] * 0.1) * w
            let bh = prior.height * exp(d[3] * 0.2) * h
            var row: [Float] = [cx - bw / 2, cy - bh / 2, bw, bh]
            for k in 0..<5 {
                row.append((prior.x + d[4 + 2 * k] * 0.1 * prior.width) * w)
                row.append((prior.y + d[5 + 2 * k] * 0.1 * prior.height) * h)
            }
            row.append(score)
            rows.append(row)
        }
        guard count > 1 else { return rows }
        return suppress(rows)
    }

    /// `cv::dnn::NMSBoxes` over `Rect2i(int(x), int(y), int(w), int(h))`: scores above the threshold,
    /// stable sort by score, top-K, then keep a box unless it overlaps a kept one by more than the IoU.
    private func suppress(_ rows: [[Float]]) -> [[Float]] {
        var order = rows.indices.filter { rows[$0][14] > scoreThreshold }
        order = order.enumerated().sorted { a, b in
            rows[a.element][14] != rows[b.element][14] ? rows[a.element][14] > rows[b.element][14] : a.offset < b.offset
        }.map(\.element)
        if topK > 0, order.count > topK { order = Array(order.prefix(topK)) }
        let boxes = rows.map { IntegerBox(x: Int($0[0]), y: Int($0[1]), width: Int($0[2]), height: Int($0[3])) }
        var kept: [Int] = []
        for candidate in order where kept.allSatisfy({ boxes[$0].overlap(boxes[candidate]) <= nmsThreshold }) {
            kept.append(candidate)
        }
        return kept.map { rows[$0] }
    }

    private struct IntegerBox {
        var x, y, width, height: Int

        var area: Int { width * height }

        /// 1 - OpenCV's jaccardDistance, as a Float.
        func overlap(_ other: IntegerBox) -> Float {
            let sum = area + other.area
            guard sum > 0 else { return 1 }
            let left = max(x, other.x), top = max(y, other.y)
            let right = min(x + width, other.x + other.width), bottom = min(y + height, other.y + other.height)
            let intersection = right > left && bottom > top ? Double((right - left) * (bottom - top)) : 0
            return 1 - Float(1 - intersection / (Double(sum) - intersection))
        }
    }
}
