import Foundation
import ProctorCore
@testable import ProctorImaging
import ProctorTestSupport
@testable import ProctorVision
import Testing

/// Every kind of bad input becomes a one-line error; unusual but valid images are analysed normally.
@Suite(.requiresModels)
struct BadInputTests {
    let pipeline: VisionPipeline
    let directory: TemporaryDirectory

    init() throws {
        OpenCVRuntime.quietLogs()
        pipeline = try TestAssets.factory().makePipeline()
        directory = try TemporaryDirectory()
    }

    func error(for path: String) -> String? {
        do {
            _ = try pipeline.analyze(path: path)
            return nil
        } catch {
            return error.message
        }
    }

    func photoBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestAssets.photo(name))))
    }

    @Test func missingFile() {
        #expect(error(for: directory.path("nope.jpg")) == "no such file")
    }

    /// A model that does not load is the worker's fault, whatever the layer below called it.
    @Test func aModelThatDoesNotLoadIsModelUnavailable() throws {
        try directory.write(ModelLocator.faceModel, Array("not an onnx model".utf8))
        try directory.write(ModelLocator.objectModel, Array("not an onnx model".utf8))
        let factory = VisionPipelineFactory(configuration: VisionConfiguration(), locator: ModelLocator(directories: [directory.url.path]))
        do {
            _ = try factory.makePipeline()
            Issue.record("a garbage model loaded")
        } catch {
            #expect(error.kind == .modelUnavailable && error.isWorkerFault, "\(error.kind) \(error.message)")
        }
    }

    /// A broken image is the input's fault, whatever broke it: a batch goes on and blames the file.
    @Test(arguments: ["nope.jpg", "garbage.jpg", "huge.png"])
    func badInputsAreOfKindBadInput(name: String) throws {
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00] + Array(repeating: 0x5A, count: 64) + [0xFF, 0xD9]
        if name == "huge.png" {
            bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            bytes += [0x00, 0x00, 0x9C, 0x40, 0x00, 0x00, 0x9C, 0x40, 8, 2, 0, 0, 0, 0, 0, 0, 0]
        }
        let path = name == "nope.jpg" ? directory.path(name) : try directory.write(name, bytes)
        do {
            _ = try pipeline.analyze(path: path)
            Issue.record("\(name) analysed")
        } catch {
            #expect(error.kind == .badInput, "\(name): \(error.kind) \(error.message)")
            #expect(!error.isWorkerFault)
        }
    }

    @Test func unreadableFile() throws {
        if geteuid() == 0 {
            // Root reads files whatever their mode; /proc/self/mem opens but fails to read at offset 0.
            let message = try #require(error(for: "/proc/self/mem"))
            #expect(!message.isEmpty && !message.contains("\n"))
        } else {
            let path = try directory.write("locked.jpg", try photoBytes("zidane.jpg"))
            chmod(path, 0)
            #expect(error(for: path) == "permission denied")
        }
    }

    @Test func directoryInsteadOfFile() {
        #expect(error(for: directory.url.path) == "is a directory")
    }

    @Test func zeroBytes() throws {
        #expect(error(for: try directory.write("empty.jpg", [])) == "empty file")
    }

    @Test func truncatedJPEG() throws {
        let bytes = try photoBytes("zidane.jpg")
        let path = try directory.write("cut.jpg", Array(bytes.prefix(bytes.count / 2)))
        #expect(error(for: path)?.contains("truncated") == true)
    }

    @Test func notAnImage() throws {
        let path = try directory.write("notes.jpg", Array("these are exam notes, not a photo\n".utf8))
        #expect(error(for: path)?.contains("not an image") == true)
    }

    @Test func randomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<50_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = try directory.write("noise.png", bytes)
        let message = try #require(error(for: path))
        #expect(!message.contains("\n"))
    }

    @Test func randomBytesBehindAJPEGMarker() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = [0xFF, 0xD8, 0xFF, 0xE0] + (0..<50_000).map { _ in UInt8.random(in: 0...255, using: &generator) } + [0xFF, 0xD9]
        let message = try #require(error(for: try directory.write("noise.jpg", bytes)))
        #expect(!message.contains("\n"))
    }

    @Test func hugePNGHeaderIsRefusedBeforeDecoding() throws {
        // A valid PNG signature and IHDR claiming 40000x40000, followed by nothing useful.
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        bytes += [0x00, 0x00, 0x9C, 0x40, 0x00, 0x00, 0x9C, 0x40, 8, 2, 0, 0, 0, 0, 0, 0, 0]
        let message = try #require(error(for: try directory.write("huge.png", bytes)))
        #expect(message.contains("too large") && message.contains("40000x40000"))
    }

    @Test func hugeJPEGHeaderIsRefusedBeforeDecoding() throws {
        // Patch the start-of-frame of a real JPEG to claim 40000x40000.
        var bytes = try photoBytes("keliamoniz1.jpg")
        var offset = 2
        while offset + 9 < bytes.count {
            let marker = bytes[offset + 1]
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if marker == 0xC0 || marker == 0xC2 {
                bytes[offset + 5] = 0x9C; bytes[offset + 6] = 0x40; bytes[offset + 7] = 0x9C; bytes[offset + 8] = 0x40
                break
            }
            offset += 2 + length
        }
        let message = try #require(error(for: try directory.write("huge.jpg", bytes)))
        #expect(message.contains("too large"))
    }

    @Test(arguments: [(1, 10_000), (10_000, 1), (3, 5_000), (8_000, 20)])
    func extremeAspectRatiosAreAnalysedNotRefused(width: Int, height: Int) throws {
        let pixels = [UInt8](repeating: 128, count: width * height * 3)
        let image = try pixels.withUnsafeBytes { buffer throws(VisionError) in
            try Image.fromBGR(buffer, width: width, height: height, stride: width * 3)
        }
        let analysis = try pipeline.analyze(image)
        #expect(analysis.width == width && analysis.height == height)
        #expect(analysis.faces.isEmpty)
    }

    @Test func deflateTIFFBombIsRefusedBeforeDecoding() throws {
        // 249 KB on disk, 16000x16000 once inflated: OpenCV would allocate 256 MB+ before any check.
        let path = TestAssets.generated("bomb-deflate.tiff")
        try #require(FileManager.default.fileExists(atPath: path), "generated fixture missing: run scripts/setup")
        let message = try #require(error(for: path))
        #expect(message.contains("too large") && message.contains("16000x16000"), "\(message)")
    }

    @Test func tiffWithoutDimensionsIsRefused() throws {
        // A TIFF whose only directory entry is Compression: nothing says how big it decodes.
        let bytes: [UInt8] = Array("II".utf8) + [42, 0, 8, 0, 0, 0] + [1, 0] + [3, 1, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0] + [0, 0, 0, 0]
        let message = try #require(error(for: try directory.write("nosize.tiff", bytes)))
        #expect(message.contains("without readable dimensions"), "\(message)")
    }

    @Test(arguments: ["alpha.png", "gray.jpg", "gray.png", "cmyk.jpg", "deep16.png", "one.png", "small50.jpg", "plain.bmp", "plain.webp", "plain.tiff"])
    func unusualButValidImages(name: String) throws {
        let path = TestAssets.generated(name)
        try #require(FileManager.default.fileExists(atPath: path), "generated fixture missing: run scripts/setup")
        let (frame, image) = try pipeline.analyze(path: path)
        #expect(frame.width == image.width && frame.width > 0)
        if name == "one.png" { #expect(frame.width == 1 && frame.height == 1) }
        if name == "small50.jpg" { #expect(frame.width == 50) }
        // The big ones are the same face photo: the decoder must hand the detector a real picture.
        if ["alpha.png", "gray.jpg", "gray.png", "cmyk.jpg", "deep16.png", "plain.bmp", "plain.webp", "plain.tiff"].contains(name) {
            #expect(frame.faces.count == 1, "\(name): \(frame.faces.count) faces")
            #expect(frame.quality.contrast > 20)
        }
    }
}

/// Header parsing alone, no OpenCV.
struct ImageProbeTests {
    @Test func tiffDimensionsInBothByteOrders() {
        // ImageWidth as SHORT 300, ImageLength as LONG 70000.
        let little: [UInt8] = Array("II".utf8) + [42, 0, 8, 0, 0, 0] + [2, 0]
            + [0, 1, 3, 0, 1, 0, 0, 0, 0x2C, 0x01, 0, 0] + [1, 1, 4, 0, 1, 0, 0, 0, 0x70, 0x11, 0x01, 0x00] + [0, 0, 0, 0]
        let big: [UInt8] = Array("MM".utf8) + [0, 42, 0, 0, 0, 8] + [0, 2]
            + [1, 0, 0, 3, 0, 0, 0, 1, 0x01, 0x2C, 0, 0] + [1, 1, 0, 4, 0, 0, 0, 1, 0x00, 0x01, 0x11, 0x70] + [0, 0, 0, 0]
        for bytes in [little, big] {
            let probe = ImageProbe.inspect(bytes)
            #expect(probe.format == .tiff && probe.width == 300 && probe.height == 70_000)
        }
    }

    @Test func pngHeader() {
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 2, 128, 0, 0, 1, 224]
        let probe = ImageProbe.inspect(bytes)
        #expect(probe.format == .png && probe.width == 640 && probe.height == 480)
    }

    @Test func jpegWithoutEndMarkerIsIncomplete() {
        let header: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 10, 0, 20, 1, 1, 0x11, 0, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]
        let cut = ImageProbe.inspect(header + [1, 2, 3])
        #expect(cut.format == .jpeg && cut.width == 20 && cut.height == 10 && !cut.isComplete)
        #expect(ImageProbe.inspect(header + [1, 2, 0xFF, 0xD9]).isComplete)
    }

    @Test func unknownBytes() {
        #expect(ImageProbe.inspect(Array("hello".utf8)).format == .unknown)
        #expect(ImageProbe.inspect([]).format == .unknown)
    }
}
