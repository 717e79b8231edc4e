import Foundation
import ProctorImaging
import ProctorTestSupport
@testable import ProctorVision
import Testing

/// The pinned YOLOX-nano without its Focus layer (OpenVINO runs its strided Slices in a slow reference
/// implementation): the rewrite touches only what it must, and only the pinned file.
@Suite(.requiresModels)
struct YOLOXFocusCutTests {
    func pinnedModel() throws -> [UInt8] {
        Array(try Data(contentsOf: TestAssets.modelsDirectory.appendingPathComponent("yolox_nano.onnx")))
    }

    @Test func thePinnedModelLosesExactlyItsFocusLayer() throws {
        let original = try pinnedModel()
        let cut = try #require(YOLOXFocusCut.cut(original))
        if let path = ProcessInfo.processInfo.environment["PROCTOR_WRITE_FOCUS_CUT"] {
            try Data(cut).write(to: URL(fileURLWithPath: path))
        }
        let graph = try #require(ProtobufWire.fields(of: cut[...])?.first { $0.number == 7 }?.payload)
        let fields = try #require(ProtobufWire.fields(of: graph))
        let names = fields.filter { $0.number == 1 }.compactMap { node in
            ProtobufWire.string(ProtobufWire.fields(of: node.payload ?? [])?.first { $0.number == 3 }?.payload)
        }
        #expect(names.allSatisfy { !YOLOXFocusCut.focusNodes.contains($0) } && names.contains("Conv_41"))
        let inputs = fields.filter { $0.number == 11 }.compactMap { info in
            ProtobufWire.string(ProtobufWire.fields(of: info.payload ?? [])?.first { $0.number == 1 }?.payload)
        }
        #expect(inputs.first == "focus" && !inputs.contains("images"))
        #expect(original.count - cut.count > 0 && original.count - cut.count < 4096)  // the weights are all there
    }

    /// The cut network on the space-to-depth input gives the same output, to the bit, as the pinned
    /// model on the planar input, on both engines, on a real photo letterboxed as a webcam frame is.
    @Test(arguments: [InferenceEngine.opencv, .openvino])
    func theCutNetworkGivesTheSameOutputs(engine: InferenceEngine) throws {
        let path = TestAssets.modelsDirectory.appendingPathComponent("yolox_nano.onnx").path
        let backend = engine == .openvino ? try InferenceBackend.resolve(.openvino).backend : InferenceBackend.openCV
        let cut = try backend.yoloxNetwork(modelPath: path, shapes: .perSize(count: 1))
        let original = try backend.network(modelPath: path, shapes: .perSize(count: 1))
        #expect(cut.inputLayout == .spaceToDepth && original.inputLayout == .planar)
        let image = try Image.decode(Array(try Data(contentsOf: URL(fileURLWithPath: TestAssets.photo("zidane.jpg")))))
        let outputs = OutputNames(["output"])
        let planar = NetworkInput(), phases = NetworkInput()
        try planar.fill(from: image, width: 416, height: 320, padValue: 114)
        try phases.fill(from: image, width: 416, height: 320, padValue: 114, layout: .spaceToDepth)
        let expected = try #require(try original.forward(planar, outputs: outputs).first)
        let expectedValues = Array(expected.values), expectedShape = expected.shape
        let actual = try #require(try cut.forward(phases, outputs: outputs).first)
        #expect(actual.shape == expectedShape && expectedShape == [1, 52 * 40 + 26 * 20 + 13 * 10, 85])
        #expect(Array(actual.values) == expectedValues)
        #expect(throws: VisionError.self) { try cut.forward(planar, outputs: outputs) }  // a planar input is refused
    }

    @Test func anyOtherModelIsLeftAlone() throws {
        var changed = try pinnedModel()
        changed[changed.count - 1] ^= 1
        #expect(YOLOXFocusCut.cut(changed) == nil)
        #expect(YOLOXFocusCut.cut([]) == nil)
    }

    @Test func malformedMessagesAreRefused() {
        #expect(ProtobufWire.fields(of: [0x0a, 0x05, 0x61][...]) == nil)  // a length past the end
        #expect(ProtobufWire.fields(of: [0x08][...]) == nil)  // a varint cut short
        #expect(ProtobufWire.fields(of: [0x0b][...]) == nil)  // a group
        #expect(ProtobufWire.fields(of: [0x0a, 0x01, 0x61, 0x10, 0x96, 0x01][...])?.map(\.number) == [1, 2])
    }
}
