import Foundation
@testable import ProctorImaging
import ProctorTestSupport
@testable import ProctorVision
import Testing

/// Upright JPEGs decode through TurboJPEG; rotated ones through OpenCV's imgcodecs, which applies EXIF
/// orientation; JPEG encoding goes through TurboJPEG.
@Suite(.requiresModels)
struct DecoderRoutingTests {
    @Test func exifOrientation6ComesOutUpright() throws {
        let path = TestAssets.generated("exif-rotated.jpg")
        try #require(FileManager.default.fileExists(atPath: path), "generated fixture missing: run scripts/setup")
        let bytes = try ImageLoader.readFile(path, limit: 1 << 24)
        let probe = ImageProbe.inspect(bytes)
        // Stored 240x320 (sideways), displayed 320x240.
        #expect(probe.width == 240 && probe.height == 320 && probe.orientation == 6 && !probe.isUprightJPEG)
        let image = try ImageLoader().decode(bytes)
        #expect(image.width == 320 && image.height == 240)
        // Upright, the face is found as in the plain copies of the same photo.
        let (frame, _) = try TestAssets.factory().makePipeline().analyze(path: path)
        #expect(frame.faces.count == 1, "\(frame.faces.count) faces")
    }

    /// Next to the binary, next to the shim's code, then $PROCTOR_CVIO_PATH (a file, or a directory).
    @Test func theIOLibraryIsLookedForInOrder() throws {
        let directory = try TemporaryDirectory()
        let name = IOLibrary.fileName
        #expect(name == "libProctorCVIO.so")
        let both = IOLibrary.candidatePaths(
            executable: "/opt/pv/bin/proctor", shimDirectory: "/opt/pv/lib", environment: ["PROCTOR_CVIO_PATH": directory.url.path])
        #expect(both == ["/opt/pv/bin/\(name)", "/opt/pv/lib/\(name)", directory.url.path + "/\(name)"])
        let file = IOLibrary.candidatePaths(
            executable: "/opt/pv/bin/proctor", shimDirectory: "/opt/pv/bin", environment: ["PROCTOR_CVIO_PATH": "/srv/io.so"])
        #expect(file == ["/opt/pv/bin/\(name)", "/srv/io.so"])
        let unset = IOLibrary.candidatePaths(executable: "/opt/pv/bin/proctor", shimDirectory: nil, environment: ["PROCTOR_CVIO_PATH": ""])
        #expect(unset == ["/opt/pv/bin/\(name)"])
    }

    @Test func plainPhotoIsAnUprightJPEG() throws {
        let bytes = try ImageLoader.readFile(TestAssets.photo("keliamoniz1.jpg"), limit: 1 << 24)
        #expect(ImageProbe.inspect(bytes).isUprightJPEG)
    }

    @Test func encodedJPEGRoundTripsWith420Subsampling() throws {
        let image = try ImageLoader().load(path: TestAssets.photo("keliamoniz1.jpg"))
        let jpeg = try image.jpegData(quality: 85)
        let decoded = try Image.decode(jpeg)
        #expect(decoded.width == image.width && decoded.height == image.height)
        // Baseline SOF0, three components, luma sampled 2x2 (4:2:0) and chroma 1x1.
        let sof = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        #expect(jpeg[sof + 9] == 3 && jpeg[sof + 11] == 0x22 && jpeg[sof + 14] == 0x11 && jpeg[sof + 17] == 0x11)
        // Close to the original: mean absolute difference of a few levels at quality 85.
        let (a, b) = (try image.bgrBytes(), try decoded.bgrBytes())
        let difference = zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        #expect(Double(difference) / Double(a.count) < 4)
    }

    @Test func garbageAfterAJPEGMarkerFailsOnOneLine() throws {
        // TurboJPEG refuses it, then the imgcodecs fallback does too: one line naming TurboJPEG's reason.
        let bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00] + Array(repeating: 0x5A, count: 64) + [0xFF, 0xD9]
        do {
            _ = try Image.decode(bytes)
            Issue.record("decoded garbage")
        } catch {
            #expect(error.message.contains("TurboJPEG") && !error.message.contains("\n"), "\(error.message)")
        }
    }
}

/// EXIF Orientation parsing alone, no OpenCV.
struct ExifOrientationTests {
    /// SOI, an APP1 EXIF segment with one IFD0 entry (Orientation, SHORT), then a tiny scan and EOI.
    func jpeg(orientation: Int, littleEndian: Bool, ifdOffset: Int = 8) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        var tiff: [UInt8] = (littleEndian ? Array("II".utf8) : Array("MM".utf8)) + u16(42) + u32(ifdOffset)
        tiff += u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0) + u32(0)
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let app1: [UInt8] = [0xFF, 0xE1] + [UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        let frame: [UInt8] = [0xFF, 0xC0, 0, 11, 8, 0, 10, 0, 20, 1, 1, 0x11, 0]
        let scan: [UInt8] = [0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 1, 2, 0xFF, 0xD9]
        return [0xFF, 0xD8] + app1 + frame + scan
    }

    @Test(arguments: [true, false])
    func readsOrientationInEitherByteOrder(littleEndian: Bool) {
        for value in 1...8 {
            let probe = ImageProbe.inspect(jpeg(orientation: value, littleEndian: littleEndian))
            #expect(probe.format == .jpeg && probe.orientation == value && probe.width == 20)
            #expect(probe.isUprightJPEG == (value == 1))
        }
    }

    @Test func invalidValuesAndOffsetsAreIgnored() {
        #expect(ImageProbe.inspect(jpeg(orientation: 0, littleEndian: true)).orientation == nil)
        #expect(ImageProbe.inspect(jpeg(orientation: 9, littleEndian: false)).orientation == nil)
        // An IFD offset pointing past the segment (EXIF offsets are untrusted).
        #expect(ImageProbe.inspect(jpeg(orientation: 6, littleEndian: true, ifdOffset: 0x7FFF_FFF0)).orientation == nil)
        #expect(ImageProbe.inspect(jpeg(orientation: 6, littleEndian: false, ifdOffset: 4_000)).orientation == nil)
    }

    @Test func noExifMeansUpright() {
        let plain: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 10, 0, 20, 1, 1, 0x11, 0, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0xFF, 0xD9]
        let probe = ImageProbe.inspect(plain)
        #expect(probe.orientation == nil && probe.isUprightJPEG)
    }
}
