import Foundation
import ProctorImaging
import ProctorTestSupport
@testable import ProctorVision
import Synchronization
import Testing

/// PNG goes through libpng directly, with its messages caught: the same pixels OpenCV's imgcodecs gives,
/// libpng's warnings as data (never on stderr), damage as a one-line error.
struct PNGDecodingTests {
    let directory: TemporaryDirectory

    init() throws {
        OpenCVRuntime.quietLogs()
        directory = try TemporaryDirectory()
    }

    func fixture(_ name: String) throws -> [UInt8] {
        let path = TestAssets.generated(name)
        try #require(FileManager.default.fileExists(atPath: path), "generated fixture missing: run scripts/setup")
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Loads `path` and returns the image (or the error) and the warnings reported for it.
    func load(_ path: String) -> (image: Image?, error: String?, warnings: [DecoderWarning]) {
        let seen = Mutex<[DecoderWarning]>([])
        DecoderWarnings.route { warning in seen.withLock { $0.append(warning) } }
        defer { DecoderWarnings.route(to: nil) }
        do {
            let image = try ImageLoader().load(path: path)
            return (image, nil, seen.withLock { $0 }.filter { $0.source == path })
        } catch {
            return (nil, error.message, seen.withLock { $0 }.filter { $0.source == path })
        }
    }

    @Test(arguments: ["alpha.png", "gray.png", "deep16.png", "one.png"])
    func samePixelsAsImgcodecs(name: String) throws {
        let bytes = try fixture(name)
        let probe = ImageProbe.inspect(bytes)
        #expect(probe.format == .png)
        let ours = try Image.decode(bytes, probe: probe)
        // A non-PNG probe sends the same bytes to OpenCV's imgcodecs.
        let theirs = try Image.decode(bytes, probe: ImageProbe(format: .unknown))
        #expect(ours.width == theirs.width && ours.height == theirs.height)
        let (a, b) = (try ours.bgrBytes(), try theirs.bgrBytes())
        #expect(a.count == b.count)
        // 16-bit samples may round differently by one level.
        let largest = zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(largest <= (name == "deep16.png" ? 1 : 0), "\(name): pixels differ by up to \(largest)")
    }

    @Test func aBadChunkChecksumIsAWarningAndTheImageDecodes() throws {
        let path = try directory.write("crc.png", DamagedPNG.withBadChunkCRC(try fixture("gray.png")))
        let result = load(path)
        #expect(result.image?.width == 320, "\(result.error ?? "")")
        #expect(result.warnings.contains { $0.library == "libpng" && $0.message.contains("CRC") }, "\(result.warnings)")
    }

    @Test func aBrokenICCProfileIsAWarningAndTheImageDecodes() throws {
        let path = try directory.write("iccp.png", DamagedPNG.withBrokenICCProfile(try fixture("alpha.png")))
        let result = load(path)
        #expect(result.image != nil, "\(result.error ?? "")")
        #expect(result.warnings.contains { $0.message.contains("iCCP") }, "\(result.warnings)")
    }

    @Test func aTruncatedPNGIsOneLineError() throws {
        let path = try directory.write("cut.png", DamagedPNG.truncated(try fixture("gray.png")))
        let result = load(path)
        #expect(result.image == nil)
        let message = try #require(result.error)
        #expect(message.contains("PNG") && message.contains("truncated") && !message.contains("\n"), "\(message)")
    }

    @Test func pixelsBeyondTheCheckedHeaderAreRefused() throws {
        // The header promised (and the loader checked) 1x1: libpng may not decode anything bigger.
        let bytes = try fixture("gray.png")
        #expect(throws: VisionError.self) {
            try Image.decode(bytes, probe: ImageProbe(format: .png, width: 1, height: 1))
        }
    }
}
