import CVShim
import ProctorCore
import ProctorImaging

extension ModelLocator {
    /// MobileFaceNet (see models/manifest.json): only loaded when a reference face is given.
    public static let embeddingModel = "MobileFaceNet.onnx"
}

/// Turns a detected face (its five landmarks) into a ``FaceEmbedding`` with MobileFaceNet.
///
/// Alignment and input normalisation are decided here; the shim only warps and converts, and the
/// forward pass runs on the selected engine through the inference seam (``InferenceNetwork``). Not
/// thread-safe: use one instance per thread.
public final class FaceEmbedder {
    /// How the network wants its input: `(value - mean) * scale`, RGB.
    public struct Normalisation: Sendable, Hashable {
        public var mean = 127.5
        public var scale = 1 / 127.5
        public var rgb = true
        public init() {}
    }

    /// MobileFaceNet's output tensor (the pinned model's name for its 128-value embedding).
    static let outputNames = OutputNames(["reshape2_0.tmp_0"])

    private let network: any InferenceNetwork
    private let input = NetworkInput()
    public let alignment: FaceAlignment
    public let normalisation: Normalisation
    /// `warpAffine` does not anti-alias: a face shrunk by more than this factor is first area-resized
    /// (a same-person cosine falls from 0.62 to 0.32 on a full-resolution photo otherwise).
    public var maxDirectShrink = 2.0
    /// The largest output accepted (MobileFaceNet gives 128 values).
    static let maxOutputCount = 4096

    public var engine: InferenceEngine { network.engine }

    public init(
        modelPath: String, backend: InferenceBackend = .openCV, alignment: FaceAlignment = .arcFace,
        normalisation: Normalisation = Normalisation()
    ) throws(VisionError) {
        do {
            // One input size (the aligned crop): one compilation on OpenVINO.
            network = try backend.network(modelPath: modelPath, shapes: .perSize(count: 1))
        } catch {
            throw VisionError("embedding \(error.message)")
        }
        self.alignment = alignment
        self.normalisation = normalisation
    }

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
        try input.fillAligned(
            from: source, matrix: transform.rowMajor, side: alignment.side, scale: normalisation.scale, mean: normalisation.mean,
            swapRB: normalisation.rgb)
        guard let output = try network.forward(input, outputs: Self.outputNames).first, output.values.count <= Self.maxOutputCount,
            let embedding = FaceEmbedding(raw: Array(output.values))
        else {
            throw VisionError("face embedding: the network returned no usable vector")
        }
        return embedding
    }
}
