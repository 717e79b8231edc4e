import CVShim
import ProctorCore
import ProctorImaging

/// Finds faces in an image; results are in the image's own pixels.
public protocol FaceDetecting {
    /// Whether results carry the five landmarks (needed for head pose).
    var providesLandmarks: Bool { get }
    func detect(in image: Image, timings: inout StageTimings) throws(VisionError) -> [DetectedFace]
}

/// How a detector's input is scaled: large frames are shrunk (faces at webcam distance are big and
/// detection cost grows with pixels), small ones are enlarged and padded (YuNet fails below ~64 px and
/// misses faces that fill the whole input).
public struct DetectionScale: Sendable, Hashable, Codable {
    /// The long side of the detector's input for large images.
    public var workingSide: Int = 400
    /// Images whose long side is below this are enlarged to it.
    public var minimumSide: Int = 160
    /// Border added around enlarged small images, as a fraction of their size.
    public var smallImagePadding: Double = 0.25

    public init(workingSide: Int = 400, minimumSide: Int = 160, smallImagePadding: Double = 0.25) {
        self.workingSide = workingSide
        self.minimumSide = minimumSide
        self.smallImagePadding = smallImagePadding
    }

    /// The transformed image plus the mapping back: original = (working - offset) / factor.
    struct Prepared {
        var image: Image
        var factor: Double
        var offsetX: Double
        var offsetY: Double

        func toOriginal(_ point: Point2D) -> Point2D {
            Point2D(x: (point.x - offsetX) / factor, y: (point.y - offsetY) / factor)
        }

        func toOriginal(_ box: BoundingBox) -> BoundingBox {
            BoundingBox(x: (box.x - offsetX) / factor, y: (box.y - offsetY) / factor, width: box.width / factor, height: box.height / factor)
        }
    }

    /// The shortest side the detector is given: an extreme aspect ratio (1x10000) scaled to the
    /// working side leaves a sliver YuNet refuses, so the short side is padded up to this.
    static let minimumShortSide = 64

    func prepare(_ image: Image, timings: inout StageTimings) throws(VisionError) -> Prepared {
        let prepared = try scale(image, timings: &timings)
        let padX = max(0, Self.minimumShortSide - prepared.image.width)
        let padY = max(0, Self.minimumShortSide - prepared.image.height)
        guard padX > 0 || padY > 0 else { return prepared }
        let padded = try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in
            try prepared.image.padded(top: padY / 2, bottom: padY - padY / 2, left: padX / 2, right: padX - padX / 2)
        }
        return Prepared(
            image: padded, factor: prepared.factor, offsetX: prepared.offsetX + Double(padX / 2),
            offsetY: prepared.offsetY + Double(padY / 2))
    }

    private func scale(_ image: Image, timings: inout StageTimings) throws(VisionError) -> Prepared {
        let side = max(image.width, image.height)
        if side > workingSide {
            let factor = Double(workingSide) / Double(side)
            let scaled = try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in try image.scaled(by: factor) }
            // Report the factor actually applied on each axis (rounding); use width's.
            return Prepared(image: scaled, factor: Double(scaled.width) / Double(image.width), offsetX: 0, offsetY: 0)
        }
        if side < minimumSide {
            let factor = Double(minimumSide) / Double(side)
            let prepared = try Stopwatch.measure(&timings.openCV) { () throws(VisionError) -> Prepared in
                let scaled = try image.scaled(by: factor)
                let padX = Int(Double(scaled.width) * smallImagePadding), padY = Int(Double(scaled.height) * smallImagePadding)
                let padded = try scaled.padded(top: padY, bottom: padY, left: padX, right: padX)
                return Prepared(
                    image: padded, factor: Double(scaled.width) / Double(image.width), offsetX: Double(padX), offsetY: Double(padY))
            }
            return prepared
        }
        return Prepared(image: image, factor: 1, offsetX: 0, offsetY: 0)
    }
}

/// YuNet (OpenCV's `FaceDetectorYN`): box, five landmarks and a score per face.
///
/// Not thread-safe: use one instance per thread.
public final class YuNetFaceDetector: FaceDetecting {
    private let handle: OpaquePointer
    public let scale: DetectionScale
    public let scoreThreshold: Double
    public var providesLandmarks: Bool { true }
    private var rows = [Float](repeating: 0, count: 64 * Int(PV_FACE_ROW_FLOATS))

    /// Loads the model. `scoreThreshold` is applied inside OpenCV; keep it at or below the policy's.
    public init(modelPath: String, scoreThreshold: Double = 0.6, nmsThreshold: Double = 0.3, scale: DetectionScale = DetectionScale())
        throws(VisionError)
    {
        var out: OpaquePointer?
        try shim("face model \(modelPath)") { err, cap in
            pv_yunet_create(modelPath, Float(scoreThreshold), Float(nmsThreshold), 5000, &out, err, cap)
        }
        guard let out else { throw VisionError("face model \(modelPath): not loaded") }
        handle = out
        self.scale = scale
        self.scoreThreshold = scoreThreshold
    }

    deinit { pv_yunet_free(handle) }

    public func detect(in image: Image, timings: inout StageTimings) throws(VisionError) -> [DetectedFace] {
        let prepared = try scale.prepare(image, timings: &timings)
        var count: Int32 = 0
        let width = Int(PV_FACE_ROW_FLOATS)
        try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in
            try runDetector(prepared.image, count: &count)
            if Int(count) * width > rows.count {
                rows = [Float](repeating: 0, count: Int(count) * width)
                try runDetector(prepared.image, count: &count)
            }
        }
        let imageWidth = Double(image.width), imageHeight = Double(image.height)
        return (0..<Int(count)).compactMap { index -> DetectedFace? in
            let row = rows[(index * width)..<((index + 1) * width)].map(Double.init)
            let base = row.startIndex
            let box = prepared.toOriginal(BoundingBox(x: row[base], y: row[base + 1], width: row[base + 2], height: row[base + 3]))
                .clipped(width: imageWidth, height: imageHeight)
            guard box.area > 0 else { return nil }  // a face found only in the padding
            func point(_ i: Int) -> Point2D { prepared.toOriginal(Point2D(x: row[base + 4 + 2 * i], y: row[base + 5 + 2 * i])) }
            let landmarks = FaceLandmarks(rightEye: point(0), leftEye: point(1), nose: point(2), rightMouth: point(3), leftMouth: point(4))
            return DetectedFace(box: box, score: row[base + 14], landmarks: landmarks)
        }
    }

    private func runDetector(_ image: Image, count: inout Int32) throws(VisionError) {
        let capacity = Int32(rows.count / Int(PV_FACE_ROW_FLOATS))
        try shim("face detection") { err, cap in
            rows.withUnsafeMutableBufferPointer { pv_yunet_detect(handle, image.handle, $0.baseAddress, capacity, &count, err, cap) }
        }
    }
}

/// OpenCV's Haar cascade: a fallback when the YuNet model is missing. Boxes only, no landmarks, so no head pose.
public final class HaarFaceDetector: FaceDetecting {
    private let handle: OpaquePointer
    public let scale: DetectionScale
    public var providesLandmarks: Bool { false }

    /// Debian's `opencv-data` location of the frontal face cascade.
    public static let defaultCascadePath = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"

    public init(cascadePath: String = HaarFaceDetector.defaultCascadePath, scale: DetectionScale = DetectionScale(workingSide: 640))
        throws(VisionError)
    {
        var out: OpaquePointer?
        try shim("face cascade") { pv_cascade_create(cascadePath, &out, $0, $1) }
        guard let out else { throw VisionError("face cascade \(cascadePath): not loaded") }
        handle = out
        self.scale = scale
    }

    deinit { pv_cascade_free(handle) }

    public func detect(in image: Image, timings: inout StageTimings) throws(VisionError) -> [DetectedFace] {
        let prepared = try scale.prepare(image, timings: &timings)
        var boxes = [Float](repeating: 0, count: 256 * 5)
        var count: Int32 = 0
        try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in
            try shim("face cascade") { err, cap in
                boxes.withUnsafeMutableBufferPointer {
                    pv_cascade_detect(handle, prepared.image.handle, 1.1, 5, 24, $0.baseAddress, 256, &count, err, cap)
                }
            }
        }
        return (0..<min(Int(count), 256)).map { i in
            let b = boxes[(i * 5)..<(i * 5 + 5)].map(Double.init)
            let box = prepared.toOriginal(BoundingBox(x: b[0], y: b[1], width: b[2], height: b[3]))
            // The level weight (b[4]) is no calibrated confidence: every detection that survived
            // min-neighbours counts fully.
            return DetectedFace(box: box, score: 1)
        }
    }
}
