import Foundation
import ProctorTestSupport
import Testing

/// OpenCV's imgcodecs and videoio (and their ~60 MB of dependencies) live in libProctorCVIO.so, which
/// `proctor` loads only for non-JPEG images and video. strace (installed by scripts/setup) shows which
/// libraries a run opened: the binary carries no hook for it.
@Suite(.requiresModels)
struct LazyIOLibraryTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    func analyze(_ path: String, with binary: String? = nil) throws -> CommandResult {
        try CommandRunner.run(
            binary ?? proctor, ["analyze", "--format", "jsonl", "--models", TestAssets.modelsDirectory.path, path],
            environment: ["PROCTOR_CVIO_PATH": ""])
    }

    /// The result of analysing `path` under strace, and the file names of the shared libraries it opened.
    func openedLibraries(analyzing path: String) throws -> (CommandResult, [String]) {
        let strace = "/usr/bin/strace"
        try #require(FileManager.default.isExecutableFile(atPath: strace), "strace missing: run scripts/setup")
        let folder = try TemporaryDirectory()
        let log = folder.path("strace.log")
        let result = try CommandRunner.run(
            strace, ["-f", "-qq", "-o", log, "-e", "trace=open,openat", proctor, "analyze", "--format", "jsonl", "--models",
                TestAssets.modelsDirectory.path, path],
            environment: ["PROCTOR_CVIO_PATH": ""])
        // Successful opens only: `openat(AT_FDCWD, "/usr/lib/.../libx.so.406", O_RDONLY|O_CLOEXEC) = 3`.
        let opened = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(".so") && !$0.contains("= -1") }
            .compactMap { line in line.split(separator: "\"").dropFirst().first.map { String($0.split(separator: "/").last ?? "") } }
        return (result, opened)
    }

    @Test func plainJPEGNeverLoadsImgcodecs() throws {
        let (result, opened) = try openedLibraries(analyzing: TestAssets.photo("keliamoniz1.jpg"))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(opened.contains { $0.hasPrefix("libopencv_core") }, "\(opened)")  // the trace works
        for heavy in ["libopencv_imgcodecs", "libopencv_videoio", "libProctorCVIO"] {
            #expect(!opened.contains { $0.hasPrefix(heavy) }, "\(heavy) opened for a plain JPEG")
        }
    }

    /// The control for the test above: the trace does see the library when it is loaded.
    @Test func bmpLoadsTheIOLibrary() throws {
        let (result, opened) = try openedLibraries(analyzing: TestAssets.generated("plain.bmp"))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(opened.contains { $0.hasPrefix("libopencv_imgcodecs") } && opened.contains { $0.hasPrefix("libProctorCVIO") }, "\(opened)")
    }

    /// PNG is read by libpng directly (its messages caught), so it needs imgcodecs no more than JPEG does.
    @Test func pngNeverLoadsImgcodecs() throws {
        let (result, opened) = try openedLibraries(analyzing: TestAssets.generated("gray.png"))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        for heavy in ["libopencv_imgcodecs", "libopencv_videoio", "libProctorCVIO"] {
            #expect(!opened.contains { $0.hasPrefix(heavy) }, "\(heavy) opened for a PNG")
        }
    }

    @Test func withoutTheLibraryBMPFailsClearlyAndJPEGStillWorks() throws {
        let folder = try TemporaryDirectory()
        let lonely = folder.path("proctor")
        try FileManager.default.copyItem(atPath: proctor, toPath: lonely)

        // A broken installation, not a broken image: the record says so and the run ends with 78.
        let bmp = try analyze(TestAssets.generated("plain.bmp"), with: lonely)
        #expect(bmp.status == 78)
        let record = try #require(bmp.lines.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let message = try #require(record["error"] as? String, "\(bmp.stdout)")
        #expect(message.contains("needs libProctorCVIO.so next to the proctor binary") && !message.contains("\n"), "\(message)")
        #expect(record["error_kind"] as? String == "model_unavailable", "\(bmp.stdout)")
        // ... and the run's last stderr line says why it failed, not just its exit status.
        let last = bmp.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("error: 1 image(s) need a model or library that could not be loaded (first: ") && last.contains("plain.bmp"), "\(bmp.stderr)")
        // doctor names the missing library rather than calling the install sound.
        let doctor = try CommandRunner.run(
            lonely, ["doctor", "--no-camera", "--models", TestAssets.modelsDirectory.path], environment: ["PROCTOR_CVIO_PATH": ""])
        #expect(doctor.status == 1 && doctor.stdout.contains("FAIL  decoders:"), "\(doctor.stdout)")
        let intact = try CommandRunner.run(proctor, ["doctor", "--no-camera", "--models", TestAssets.modelsDirectory.path])
        #expect(intact.stdout.contains("ok    decoders: libProctorCVIO.so loads"), "\(intact.stdout)")

        let jpeg = try analyze(TestAssets.photo("keliamoniz1.jpg"), with: lonely)
        #expect(jpeg.status == 0, "stderr: \(jpeg.stderr)")
    }
}
