import Foundation
import CVShim
import ProctorImaging

/// One loaded network on one engine: a 1x3xHxW float blob in, float tensors out by name.
///
/// The seam between the detectors and the engines: a detector makes its input with ``NetworkInput``
/// (OpenCV pre-processing), calls ``forward(_:outputs:)`` and decodes the tensors itself, so both engines
/// share everything but the forward pass. Not thread-safe: one instance per thread.
public protocol InferenceNetwork: AnyObject {
    var engine: InferenceEngine { get }
    /// How the network takes its input (``NetworkInput/fill(from:width:height:content:padValue:scale:mean:swapRB:layout:)``).
    var inputLayout: InputLayout { get }
    /// Runs the network; the tensors point into the network's memory and are valid until the next call.
    func forward(_ input: NetworkInput, outputs: OutputNames) throws(VisionError) -> [TensorView]
}

/// A read-only view of a network output.
public struct TensorView {
    public var shape: [Int]
    public var values: UnsafeBufferPointer<Float>

    init(_ tensor: pv_tensor) {
        let rank = Int(max(0, min(tensor.rank, PV_TENSOR_MAX_RANK)))
        shape = withUnsafeBytes(of: tensor.dims) { Array($0.bindMemory(to: Int64.self).prefix(rank)).map { Int($0) } }
        values = UnsafeBufferPointer(start: tensor.data, count: tensor.data == nil ? 0 : tensor.count)
    }
}

/// Output names as C strings, made once per detector rather than per frame.
public final class OutputNames: @unchecked Sendable {
    public let names: [String]
    let pointers: [UnsafePointer<CChar>?]

    public init(_ names: [String]) {
        self.names = names
        pointers = names.map { UnsafePointer(strdup($0)) }
    }

    deinit { pointers.forEach { free(UnsafeMutableRawPointer(mutating: $0)) } }
}

/// How an image becomes a network's input tensor.
public enum InputLayout: Sendable {
    /// 1 x 3 x height x width.
    case planar
    /// 1 x 12 x height/2 x width/2: the 2x2 pixel phases, as YOLOX's Focus layer makes them
    /// (``YOLOXFocusCut``).
    case spaceToDepth

    var channels: Int32 { self == .planar ? 3 : 12 }

    /// The tensor's height and width for an image input of `width` x `height`.
    func tensorSize(width: Int, height: Int) -> (width: Int32, height: Int32) {
        let divisor = self == .spaceToDepth ? 2 : 1
        return (Int32(width / divisor), Int32(height / divisor))
    }
}

/// A network's input blob, reused between frames (no allocation per frame at a steady size).
public final class NetworkInput {
    private(set) var values: [Float] = []
    public private(set) var width = 0
    public private(set) var height = 0
    /// The scale applied to the image (letterbox), 1 when it already had the input's size.
    public private(set) var letterboxScale = 1.0
    public private(set) var layout = InputLayout.planar

    public init() {}

    /// `image` scaled to fit `width` x `height` (aspect kept), top-left, padded with `padValue`; each
    /// value (pixel - mean) * scale, BGR unless `swapRB`. With `content` (at most width x height) the
    /// image fits that box instead: a smaller input's scale kept inside a larger input.
    public func fill(
        from image: Image, width: Int, height: Int, content: (width: Int, height: Int)? = nil, padValue: Double = 0,
        scale: Double = 1, mean: Double = 0, swapRB: Bool = false, layout: InputLayout = .planar
    ) throws(VisionError) {
        let contentWidth = content?.width ?? width, contentHeight = content?.height ?? height
        let count = 3 * width * height
        if values.count != count { values = [Float](repeating: 0, count: count) }
        var letterbox = 1.0
        try shim("network input") { err, cap in
            values.withUnsafeMutableBufferPointer {
                pv_image_blob(
                    image.handle, Int32(width), Int32(height), Int32(contentWidth), Int32(contentHeight), padValue, scale, mean,
                    swapRB ? 1 : 0, layout == .spaceToDepth ? 1 : 0, $0.baseAddress, $0.count, &letterbox, err, cap)
            }
        }
        self.width = width
        self.height = height
        self.layout = layout
        letterboxScale = letterbox
    }

    /// The `side` x `side` crop of `image` under the row-major 2x3 affine `matrix` (image -> crop pixels;
    /// bilinear, black outside the image); each value (pixel - mean) * scale, BGR unless `swapRB`.
    public func fillAligned(
        from image: Image, matrix: [Double], side: Int, scale: Double, mean: Double, swapRB: Bool
    ) throws(VisionError) {
        guard matrix.count == 6 else { throw VisionError("alignment needs a 2x3 matrix") }
        guard (16...1024).contains(side) else { throw VisionError("aligned crop side \(side) is out of range") }
        let count = 3 * side * side
        if values.count != count { values = [Float](repeating: 0, count: count) }
        try shim("aligned crop") { err, cap in
            matrix.withUnsafeBufferPointer { m in
                values.withUnsafeMutableBufferPointer {
                    pv_aligned_blob(image.handle, m.baseAddress, Int32(side), mean, scale, swapRB ? 1 : 0, $0.baseAddress, $0.count, err, cap)
                }
            }
        }
        width = side
        height = side
        layout = .planar
        letterboxScale = 1
    }
}

/// Calls a forward function of the shim and wraps its tensors.
func forwardTensors(
    _ input: NetworkInput, _ outputs: OutputNames, layout: InputLayout, context: String,
    _ call: (UnsafePointer<Float>, Int32, Int32, UnsafePointer<UnsafePointer<CChar>?>, Int32, UnsafeMutablePointer<pv_tensor>, UnsafeMutablePointer<CChar>, Int)
        -> Int32
) throws(VisionError) -> [TensorView] {
    guard input.width > 0, input.height > 0 else { throw VisionError("\(context): no input") }
    guard input.layout == layout else { throw VisionError("\(context): the input is not laid out as the network takes it") }
    let size = layout.tensorSize(width: input.width, height: input.height)
    var tensors = [pv_tensor](repeating: pv_tensor(), count: outputs.names.count)
    try shim(context) { err, cap in
        input.values.withUnsafeBufferPointer { blob in
            outputs.pointers.withUnsafeBufferPointer { names in
                tensors.withUnsafeMutableBufferPointer { out in
                    guard let blobBase = blob.baseAddress, let nameBase = names.baseAddress, let outBase = out.baseAddress else { return -1 }
                    return call(blobBase, size.width, size.height, nameBase, Int32(names.count), outBase, err, cap)
                }
            }
        }
    }
    return tensors.map(TensorView.init)
}

/// A network on OpenCV's DNN module.
public final class OpenCVNetwork: InferenceNetwork {
    private let handle: OpaquePointer
    public var engine: InferenceEngine { .opencv }
    public let inputLayout: InputLayout

    /// The model from `modelData` when given (`modelPath` then names it), else from the file.
    public init(modelPath: String, modelData: [UInt8]? = nil, inputLayout: InputLayout = .planar) throws(VisionError) {
        var out: OpaquePointer?
        try shim("model \(modelPath)") { err, cap in
            (modelData ?? []).withUnsafeBufferPointer {
                pv_dnn_network_create(modelPath, $0.baseAddress, $0.count, inputLayout.channels, &out, err, cap)
            }
        }
        guard let out else { throw VisionError("model \(modelPath): not loaded") }
        handle = out
        self.inputLayout = inputLayout
    }

    deinit { pv_dnn_network_free(handle) }

    public func forward(_ input: NetworkInput, outputs: OutputNames) throws(VisionError) -> [TensorView] {
        try forwardTensors(input, outputs, layout: inputLayout, context: "forward (OpenCV)") {
            pv_dnn_network_forward(handle, $0, $1, $2, $3, $4, $5, $6, $7)
        }
    }
}

/// A network on the OpenVINO runtime (CPU plugin, f32).
public final class OpenVINONetwork: InferenceNetwork {
    private let handle: OpaquePointer
    public var engine: InferenceEngine { .openvino }
    public let inputLayout: InputLayout

    /// How the network is compiled for the input sizes it sees.
    public enum Shapes: Sendable {
        /// One compiled model per input size, keeping the `count` most recent (fastest per frame; for
        /// inputs whose sizes come from a short list, like YOLOX's multiples of 32).
        case perSize(count: Int)
        /// One compiled model for every size (for inputs of any size, like YuNet's).
        case dynamic
    }

    /// The model from `modelData` when given (kept for each compilation; `modelPath` then names it), else
    /// from the file.
    public init(
        modelPath: String, modelData: [UInt8]? = nil, inputLayout: InputLayout = .planar, threads: Int, shapes: Shapes
    ) throws(VisionError) {
        if case .failure(let error) = OpenVINORuntime.status { throw VisionError("OpenVINO: \(error.message)") }
        var out: OpaquePointer?
        let maxShapes: Int32
        switch shapes {
        case .perSize(let count): maxShapes = Int32(max(1, min(count, 64)))
        case .dynamic: maxShapes = 0
        }
        try shim("model \(modelPath)") { err, cap in
            (modelData ?? []).withUnsafeBufferPointer {
                pv_ov_network_create(
                    modelPath, $0.baseAddress, $0.count, inputLayout.channels, Int32(threads), maxShapes, &out, err, cap)
            }
        }
        guard let out else { throw VisionError("model \(modelPath): not loaded") }
        handle = out
        self.inputLayout = inputLayout
    }

    deinit { pv_ov_network_free(handle) }

    /// Compiles for inputs of this size ahead of the first forward, so compiling does not stall a frame
    /// mid-run (OpenCV DNN has nothing to compile: its networks need no such step).
    public func prepare(width: Int, height: Int) throws(VisionError) {
        let size = inputLayout.tensorSize(width: width, height: height)
        try shim("compile for \(width)x\(height)") { pv_ov_network_prepare(handle, size.width, size.height, $0, $1) }
    }

    public func forward(_ input: NetworkInput, outputs: OutputNames) throws(VisionError) -> [TensorView] {
        try forwardTensors(input, outputs, layout: inputLayout, context: "forward (OpenVINO)") {
            pv_ov_network_forward(handle, $0, $1, $2, $3, $4, $5, $6, $7)
        }
    }
}

extension InferenceBackend {
    /// Loads a model on this backend's engine.
    public func network(modelPath: String, shapes: OpenVINONetwork.Shapes) throws(VisionError) -> any InferenceNetwork {
        switch engine {
        case .opencv: return try OpenCVNetwork(modelPath: modelPath)
        case .openvino: return try OpenVINONetwork(modelPath: modelPath, threads: threads, shapes: shapes)
        }
    }

    /// Loads a YOLOX model on this backend's engine; the pinned YOLOX-nano without its Focus layer
    /// (``YOLOXFocusCut``), any other file as it is.
    public func yoloxNetwork(modelPath: String, shapes: OpenVINONetwork.Shapes) throws(VisionError) -> any InferenceNetwork {
        guard let cut = YOLOXFocusCut.cut(modelAt: modelPath) else { return try network(modelPath: modelPath, shapes: shapes) }
        switch engine {
        case .opencv: return try OpenCVNetwork(modelPath: modelPath, modelData: cut, inputLayout: .spaceToDepth)
        case .openvino:
            return try OpenVINONetwork(
                modelPath: modelPath, modelData: cut, inputLayout: .spaceToDepth, threads: threads, shapes: shapes)
        }
    }
}

/// An input size to compile a network for ahead of its first forward.
struct NetworkPreparation {
    let network: OpenVINONetwork
    let width: Int
    let height: Int
}
