import Foundation
import ProctorTestSupport
import Testing

/// OpenCV's imgcodecs and videoio (and their ~60 MB of dependencies) live in libProctorCVIO.so, which
/// `proctor` loads only for non-JPEG images and video. PROCTOR_DEBUG_MAPS=1 makes it report at exit
/// what /proc/self/maps held.
@Suite(.enabled(if: TestAssets.modelsAvailable, Comment(rawValue: TestAssets.missingModelsMessage)))
struct LazyIOLibraryTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    func analyze(_ path: String, with binary: String? = nil) throws -> CommandResult {
        try CommandRunner.run(
            binary ?? proctor, ["analyze", "--format", "jsonl", "--models", TestAssets.modelsDirectory.path, path],
            environment: ["PROCTOR_DEBUG_MAPS": "1", "PROCTOR_CVIO_PATH": ""])
    }

    @Test func plainJPEGNeverLoadsImgcodecs() throws {
        let result = try analyze(TestAssets.photo("keliamoniz1.jpg"))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("libopencv_imgcodecs=absent libopencv_videoio=absent libProctorCVIO=absent"), "\(result.stderr)")
    }

    /// The control for the test above: the report does see the library when it is loaded.
    @Test func bmpLoadsTheIOLibrary() throws {
        let result = try analyze(TestAssets.generated("plain.bmp"))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("libopencv_imgcodecs=mapped"), "\(result.stderr)")
    }

    /// PNG is read by libpng directly (its messages caught), so it needs imgcodecs no more than JPEG does.
    @Test func pngNeverLoadsImgcodecs() throws {
        let result = try analyze(TestAssets.generated("gray.png"))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("libopencv_imgcodecs=absent libopencv_videoio=absent libProctorCVIO=absent"), "\(result.stderr)")
    }

    @Test func withoutTheLibraryBMPFailsClearlyAndJPEGStillWorks() throws {
        let folder = try TemporaryDirectory()
        let lonely = folder.path("proctor")
        try FileManager.default.copyItem(atPath: proctor, toPath: lonely)

        let bmp = try analyze(TestAssets.generated("plain.bmp"), with: lonely)
        #expect(bmp.status == 1)
        let record = try #require(bmp.lines.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let message = try #require(record["error"] as? String, "\(bmp.stdout)")
        #expect(message.contains("needs libProctorCVIO.so next to the proctor binary") && !message.contains("\n"), "\(message)")

        let jpeg = try analyze(TestAssets.photo("keliamoniz1.jpg"), with: lonely)
        #expect(jpeg.status == 0, "stderr: \(jpeg.stderr)")
    }
}
