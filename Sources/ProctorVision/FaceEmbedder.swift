import CVShim
import ProctorCore
import ProctorImaging

extension ModelLocator {
    /// MobileFaceNet (see models/manifest.json): only loaded when a reference face is given.
    public static let embeddingModel = "MobileFaceNet.onnx"
}

/// Turns a detected face (its five landmarks) into a ``FaceEmbedding`` with MobileFaceNet.
///
/// Alignment and input normalisation are decided here; the shim only warps, converts and runs the
/// network. Not thread-safe: use one instance per thread.
public final class FaceEmbedder {
    /// How the network wants its input: `(value - mean) * scale`, RGB.
    public struct Normalisation: Sendable, Hashable {
        public var mean = 127.5
        public var scale = 1 / 127.5
        public var rgb = true
        public init() {}
    }

    private let handle: OpaquePointer
    public let alignment: FaceAlignment
    public let normalisation: Normalisation
    /// `warpAffine` does not anti-alias: a face shrunk by more than this factor is first area-resized
    /// (a same-person cosine falls from 0.62 to 0.32 on a full-resolution photo otherwise).
    public var maxDirectShrink = 2.0
    private var output = [Float](repeating: 0, count: 1024)

    public init(modelPath: String, alignment: FaceAlignment = .arcFace, normalisation: Normalisation = Normalisation())
        throws(VisionError)
    {
        var out: OpaquePointer?
        try shim("embedding model \(modelPath)") { pv_embedder_load_onnx(modelPath, Int32(alignment.side), &out, $0, $1) }
        guard let out else { throw VisionError("embedding model \(modelPath): not loaded") }
        handle = out
        self.alignment = alignment
        self.normalisation = normalisation
    }

    deinit { pv_embedder_free(handle) }

    /// The embedding of the face whose landmarks are given (in `image`'s pixels).
    public func embed(_ landmarks: FaceLandmarks, in image: Image) throws(VisionError) -> FaceEmbedding {
        guard var transform = alignment.transform(from: landmarks) else {
            throw VisionError("face landmarks are degenerate: cannot align the face")
        }
        var source = image
        let shrink = 1 / transform.scale
        if shrink > maxDirectShrink {
            // Area-resize a generous box around the face to about the crop's scale, then warp that.
            let points = landmarks.points
            let minX = points.map(\.x).min() ?? 0, maxX = points.map(\.x).max() ?? 0
            let minY = points.map(\.y).min() ?? 0, maxY = points.map(\.y).max() ?? 0
            let margin = max(maxX - minX, maxY - minY) * 1.5
            let box = BoundingBox(x: minX - margin, y: minY - margin, width: maxX - minX + 2 * margin, height: maxY - minY + 2 * margin)
                .clipped(width: Double(image.width), height: Double(image.height))
            let origin = Point2D(x: box.x.rounded(), y: box.y.rounded())
            let region = try image.cropped(to: box)
            let factor = transform.scale
            source = try region.scaled(by: factor)
            // The copy's actual factor after rounding to whole pixels.
            let actual = Double(source.width) / Double(region.width)
            transform = transform.composed(afterScaling: actual, origin: origin)
        }
        let matrix = transform.rowMajor
        var count: Int32 = 0
        let capacity = Int32(output.count)
        try shim("face embedding") { err, cap in
            matrix.withUnsafeBufferPointer { m in
                output.withUnsafeMutableBufferPointer { o in
                    pv_embedder_embed(
                        handle, source.handle, m.baseAddress, normalisation.mean, normalisation.scale, normalisation.rgb ? 1 : 0,
                        o.baseAddress, capacity, &count, err, cap)
                }
            }
        }
        guard let embedding = FaceEmbedding(raw: Array(output.prefix(Int(count)))) else {
            throw VisionError("face embedding: the network returned no usable vector")
        }
        return embedding
    }
}
