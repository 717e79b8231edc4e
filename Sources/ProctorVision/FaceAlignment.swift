import ProctorCore

/// Where the five landmarks go in a face-recognition crop, and the similarity transform that puts them there.
///
/// The template is the ArcFace 112 x 112 layout MobileFaceNet was trained on (the one OpenCV's
/// `FaceRecognizerSF::alignCrop` uses), in YuNet's landmark order: right eye, left eye, nose, right
/// and left mouth corner ("right" is the subject's right, the image's left).
public struct FaceAlignment: Sendable, Hashable {
    public static let arcFace = FaceAlignment(
        side: 112,
        template: [
            Point2D(x: 38.2946, y: 51.6963), Point2D(x: 73.5318, y: 51.5014), Point2D(x: 56.0252, y: 71.7366),
            Point2D(x: 41.5493, y: 92.3655), Point2D(x: 70.7299, y: 92.2041),
        ])

    /// The crop's side in pixels.
    public var side: Int
    /// Target positions of the five landmarks in the crop.
    public var template: [Point2D]

    /// A 2 x 3 row-major matrix mapping image pixels to crop pixels: the least-squares similarity
    /// transform (rotation, uniform scale, translation; no reflection) from `landmarks` onto the
    /// template. Nil when the landmarks are degenerate (all on one point) or not finite.
    public func transform(from landmarks: FaceLandmarks) -> AffineTransform? {
        let source = landmarks.points
        guard source.count == template.count, source.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
        let n = Double(source.count)
        let sourceMean = Point2D(x: source.map(\.x).reduce(0, +) / n, y: source.map(\.y).reduce(0, +) / n)
        let targetMean = Point2D(x: template.map(\.x).reduce(0, +) / n, y: template.map(\.y).reduce(0, +) / n)
        var a = 0.0, b = 0.0, norm = 0.0
        for (p, q) in zip(source, template) {
            let px = p.x - sourceMean.x, py = p.y - sourceMean.y
            let qx = q.x - targetMean.x, qy = q.y - targetMean.y
            a += px * qx + py * qy
            b += px * qy - py * qx
            norm += px * px + py * py
        }
        guard norm > 1e-9 else { return nil }
        let c = a / norm, s = b / norm
        let tx = targetMean.x - (c * sourceMean.x - s * sourceMean.y)
        let ty = targetMean.y - (s * sourceMean.x + c * sourceMean.y)
        let transform = AffineTransform(a: c, b: -s, tx: tx, c: s, d: c, ty: ty)
        return transform.scale > 1e-6 ? transform : nil
    }
}

/// `x' = a x + b y + tx`, `y' = c x + d y + ty`.
public struct AffineTransform: Sendable, Hashable {
    public var a: Double, b: Double, tx: Double
    public var c: Double, d: Double, ty: Double

    public init(a: Double, b: Double, tx: Double, c: Double, d: Double, ty: Double) {
        self.a = a
        self.b = b
        self.tx = tx
        self.c = c
        self.d = d
        self.ty = ty
    }

    /// The uniform scale of a similarity transform (crop pixels per image pixel).
    public var scale: Double { (a * d - b * c).magnitude.squareRoot() }

    /// Row-major 2 x 3, as OpenCV's `warpAffine` takes it.
    public var rowMajor: [Double] { [a, b, tx, c, d, ty] }

    /// This transform applied after mapping image points by `factor` and then `offset` (for a
    /// shrunken copy of the image: copy = (original - origin) * factor).
    func composed(afterScaling factor: Double, origin: Point2D) -> AffineTransform {
        // crop = T(original), original = copy / factor + origin
        AffineTransform(
            a: a / factor, b: b / factor, tx: tx + a * origin.x + b * origin.y,
            c: c / factor, d: d / factor, ty: ty + c * origin.x + d * origin.y)
    }
}
