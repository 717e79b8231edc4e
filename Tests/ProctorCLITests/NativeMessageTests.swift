import Foundation
import ProctorOutbox
import ProctorTestSupport
import Testing

/// Images that make libpng talk, read by the real binary with stderr not a terminal: what libpng says
/// arrives as JSON log lines (data), never as its own raw "libpng warning:" / "libpng error:" text.
@Suite(.requiresModels)
struct NativeMessageTests {
    let proctor: String
    let folder: TemporaryDirectory

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        folder = try TemporaryDirectory()
    }

    /// gray.png as is, with a bad tEXt checksum, with a broken ICC profile, and cut in its image data.
    func writeDamagedPNGs(in directory: String, prefix: String = "") throws -> (good: String, crc: String, iccp: String, cut: String) {
        let gray = TestAssets.generated("gray.png")
        try #require(FileManager.default.fileExists(atPath: gray), "generated fixture missing: run scripts/setup")
        let png = Array(try Data(contentsOf: URL(fileURLWithPath: gray)))
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = (directory as NSString).appendingPathComponent(prefix + name)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        return (
            try write("good.png", png), try write("crc.png", DamagedPNG.withBadChunkCRC(png)),
            try write("iccp.png", DamagedPNG.withBrokenICCProfile(png)), try write("cut.png", DamagedPNG.truncated(png))
        )
    }

    /// Every non-empty stderr line as a JSON object; records a failure for each line that is not one.
    func jsonLines(_ stderr: String) -> [[String: Any]] {
        var objects: [[String: Any]] = []
        for line in stderr.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "raw line on stderr: \(line)")
            if let object { objects.append(object) }
        }
        return objects
    }

    func decoderWarnings(_ objects: [[String: Any]], image: String) -> [String] {
        objects.filter { $0["msg"] as? String == "decoder warning" && $0["image"] as? String == image && $0["library"] as? String == "libpng" }
            .compactMap { $0["warning"] as? String }
    }

    @Test func analyzeLogsLibpngWarningsAsJSON() throws {
        let files = try writeDamagedPNGs(in: folder.url.path)
        let result = try CommandRunner.run(
            proctor, ["analyze", "--format", "jsonl", "--models", TestAssets.modelsDirectory.path, files.good, files.crc, files.iccp, files.cut])
        // One input could not be read: status 1, its record says why in one line.
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("libpng warning") && !result.stderr.contains("libpng error"), "\(result.stderr)")
        // JSON lines, then the one plain line the failing run ends with.
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.last?.hasPrefix("error: 1 of 4 image(s) could not be analysed (first: \(files.cut)") == true, "\(result.stderr)")
        let objects = jsonLines(lines.dropLast().joined(separator: "\n"))
        #expect(decoderWarnings(objects, image: files.crc).contains { $0.contains("CRC") }, "\(result.stderr)")
        #expect(decoderWarnings(objects, image: files.iccp).contains { $0.contains("iCCP") }, "\(result.stderr)")
        #expect(decoderWarnings(objects, image: files.good).isEmpty)
        #expect(objects.allSatisfy { $0["level"] as? String != nil && $0["ts"] as? String != nil })

        let records = result.lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["image"] != nil }
        #expect(records.count == 4, "\(result.stdout)")
        for record in records where (record["image"] as? String)?.hasSuffix("cut.png") == false {
            #expect(record["error"] == nil && record["width"] as? Int == 320, "\(record)")
        }
        let cut = try #require(records.first { ($0["image"] as? String)?.hasSuffix("cut.png") == true })
        let error = try #require(cut["error"] as? String, "\(cut)")
        #expect(error.contains("PNG") && error.contains("truncated"), "\(error)")
    }

    @Test func monitorOverAFolderLogsLibpngWarningsAsJSON() throws {
        let clip = try ReplayClip.demo(in: folder)
        // Named to sort among the clip's frame_NNNN.jpg. A frame that cannot be decoded ends a monitor run
        // (analyze covers it): only the ones that decode stay.
        let files = try writeDamagedPNGs(in: clip, prefix: "frame_0005_")
        try FileManager.default.removeItem(atPath: files.cut)
        let result = try CommandRunner.run(
            proctor, ["monitor", "--source", clip, "--student", "s-5", "--models", TestAssets.modelsDirectory.path,
                      "--outbox", folder.path("outbox.sqlite"), "--session-id", "sess-png"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("libpng warning") && !result.stderr.contains("libpng error"), "\(result.stderr)")
        let objects = jsonLines(result.stderr)
        #expect(decoderWarnings(objects, image: files.crc).contains { $0.contains("CRC") }, "\(result.stderr)")
        #expect(decoderWarnings(objects, image: files.iccp).contains { $0.contains("iCCP") }, "\(result.stderr)")
        #expect(objects.contains { $0["msg"] as? String == "session closed" })
    }

    /// Text a native library prints by itself (here libjpeg under OpenCV's imgcodecs, which reads rotated
    /// JPEGs) reaches stderr through the relay, wrapped as a JSON record.
    @Test func strayNativeTextIsWrappedAsJSON() throws {
        let rotated = TestAssets.generated("exif-rotated.jpg")
        try #require(FileManager.default.fileExists(atPath: rotated), "generated fixture missing: run scripts/setup")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: rotated)))
        // The scan cut short, the end-of-image marker kept: libjpeg decodes it and complains.
        let path = try folder.write("rotated-cut.jpg", Array(bytes.prefix(bytes.count * 2 / 3)) + [0xFF, 0xD9])
        let result = try CommandRunner.run(proctor, ["analyze", "--format", "jsonl", "--models", TestAssets.modelsDirectory.path, path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = jsonLines(result.stderr)
        let native = objects.filter { $0["logger"] as? String == "native" }
        #expect(native.contains { ($0["msg"] as? String)?.contains("Corrupt JPEG data") == true }, "\(result.stderr)")
        #expect(native.allSatisfy { $0["level"] as? String == "warning" && ($0["ts"] as? String)?.hasSuffix("Z") == true }, "\(native)")
    }

    /// A run that fails: JSON lines, then the one plain `error:` line last, delivered before the process is
    /// gone. The replay's truncated frame is skipped (a `frame skipped` warning), the other analysed.
    @Test func theFinalErrorLineStaysPlainAndLast() throws {
        let clip = folder.path("failing")
        try FileManager.default.createDirectory(atPath: clip, withIntermediateDirectories: true)
        let files = try writeDamagedPNGs(in: clip)
        try FileManager.default.removeItem(atPath: files.good)
        let result = try CommandRunner.run(
            proctor, ["monitor", "--source", clip, "--student", "s-5", "--models", TestAssets.modelsDirectory.path,
                      "--outbox", folder.path("failing.sqlite")])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let last = try #require(lines.last)
        #expect(last.hasPrefix("error: 1 recorded frame(s) could not be decoded") && last.contains("cut.png") && last.contains("truncated"), "\(result.stderr)")
        let logged = jsonLines(lines.dropLast().joined(separator: "\n"))
        #expect(logged.contains { $0["msg"] as? String == "frame skipped" && ($0["error"] as? String)?.hasPrefix("cut.png") == true }, "\(result.stderr)")
        #expect(lines.filter { $0.hasPrefix("error:") }.count == 1)
        let outbox = try Outbox(path: folder.path("failing.sqlite"))
        defer { outbox.close() }
        // crc.png and iccp.png decode (libpng warns), before and after the cut one: both analysed.
        #expect(try outbox.sessions().first?.framesAnalyzed == 2, "the frames around the bad one were analysed")
    }
}
