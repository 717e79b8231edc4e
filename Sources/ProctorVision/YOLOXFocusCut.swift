import Crypto
import Foundation

/// YOLOX starts with a Focus layer: eight strided Slices and a Concat split the image into its four
/// 2x2 pixel phases, 12 channels at half the size. OpenVINO runs those Slices in its reference
/// implementation (about 2 ms of YOLOX-nano's 23 ms on one thread, with the Concat). This rewrites the
/// pinned YOLOX-nano's ONNX bytes to start after that Concat, with the 12-channel image as its input,
/// which the blob conversion writes directly (``InputLayout/spaceToDepth``); the outputs are
/// bit-identical (`YOLOXFocusCutTests`). Only the pinned file, recognised by its digest, is rewritten:
/// the node names and the phase order below are that file's.
enum YOLOXFocusCut {
    static let pinnedSHA256 = "4903c9058f6e2553834e9905be1ae5d67e262cb6321964dbc57a49edc6fa10da"
    /// The Focus layer's nodes: Slice_4 ... Slice_39 (rows, then columns, from 0 or 1 in steps of 2) and
    /// Concat_40, which orders the phases (row 0, col 0), (row 1, col 0), (row 0, col 1), (row 1, col 1).
    static let focusNodes: Set<String> = [
        "Slice_4", "Slice_9", "Slice_14", "Slice_19", "Slice_24", "Slice_29", "Slice_34", "Slice_39", "Concat_40",
    ]
    static let firstConvolution = "Conv_41"
    static let focusOutput = "683"
    static let originalInput = "images"
    static let input = "focus"

    static let pinnedSize = 3_659_407

    /// The model file at `path` without its Focus layer, or nil when it is not the pinned YOLOX-nano file
    /// (only a regular file of the pinned size is read).
    static func cut(modelAt path: String) -> [UInt8]? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size == pinnedSize,
            let handle = FileHandle(forReadingAtPath: path)
        else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: pinnedSize + 1), data.count == pinnedSize else { return nil }
        return cut(Array(data))
    }

    /// The model without its Focus layer, or nil when `model` is not the pinned YOLOX-nano file.
    static func cut(_ model: [UInt8]) -> [UInt8]? {
        guard SHA256.hash(data: model).hex == pinnedSHA256 else { return nil }
        // ModelProto.graph (7) -> GraphProto.node (1) and GraphProto.input (11).
        guard let modelFields = ProtobufWire.fields(of: model[...]) else { return nil }
        var result: [UInt8] = []
        var edited = false
        for field in modelFields {
            guard field.number == 7, let graph = field.payload else {
                result += field.encoded
                continue
            }
            guard let newGraph = cutGraph(graph) else { return nil }
            result += ProtobufWire.field(7, newGraph)
            edited = true
        }
        return edited ? result : nil
    }

    private static func cutGraph(_ graph: ArraySlice<UInt8>) -> [UInt8]? {
        guard let fields = ProtobufWire.fields(of: graph) else { return nil }
        var result: [UInt8] = []
        var removed = 0, rewired = 0, replaced = 0
        for field in fields {
            switch field.number {
            case 1:  // NodeProto: input (1), output (2), name (3)
                guard let node = field.payload, let nodeFields = ProtobufWire.fields(of: node) else { return nil }
                let name = ProtobufWire.string(nodeFields.first { $0.number == 3 }?.payload)
                if let name, focusNodes.contains(name) {
                    removed += 1
                } else if name == firstConvolution {
                    var newNode: [UInt8] = []
                    var first = true
                    for nodeField in nodeFields {
                        if nodeField.number == 1, first {
                            guard ProtobufWire.string(nodeField.payload) == focusOutput else { return nil }
                            newNode += ProtobufWire.field(1, Array(input.utf8))
                            first = false
                        } else {
                            newNode += nodeField.encoded
                        }
                    }
                    result += ProtobufWire.field(1, newNode)
                    rewired += 1
                } else {
                    result += field.encoded
                }
            case 11:  // ValueInfoProto: name (1)
                guard let info = field.payload, let infoFields = ProtobufWire.fields(of: info) else { return nil }
                if ProtobufWire.string(infoFields.first { $0.number == 1 }?.payload) == originalInput {
                    result += ProtobufWire.field(11, inputInfo())
                    replaced += 1
                } else {
                    result += field.encoded
                }
            default:
                result += field.encoded
            }
        }
        return removed == focusNodes.count && rewired == 1 && replaced == 1 ? result : nil
    }

    /// ValueInfoProto { name: "focus", type: TypeProto { tensor_type { elem_type: FLOAT, shape [1, 12, 208, 208] } } }
    /// (the original input is 1x3x416x416; both engines take each frame's own size).
    private static func inputInfo() -> [UInt8] {
        let dims = [1, 12, 208, 208].flatMap { ProtobufWire.field(1, ProtobufWire.field(1, varint: Int64($0))) }
        let tensorType = ProtobufWire.field(1, varint: 1) + ProtobufWire.field(2, dims)
        return ProtobufWire.field(1, Array(input.utf8)) + ProtobufWire.field(2, ProtobufWire.field(1, tensorType))
    }
}
