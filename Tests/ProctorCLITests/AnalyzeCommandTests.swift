import Foundation
import ProctorTestSupport
import Testing

/// `proctor analyze` as a user runs it: the real binary, real models, real photos.
@Suite(.requiresModels)
struct AnalyzeCommandTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    func objects(_ result: CommandResult) throws -> [[String: Any]] {
        try result.lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
        }
    }

    @Test func mixedFolderReportsEveryInputAndExitsOne() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: TestAssets.photo("zidane.jpg"), toPath: folder.path("a-zidane.jpg"))
        try FileManager.default.copyItem(atPath: TestAssets.photo("phone.jpg"), toPath: folder.path("b-phone.jpg"))
        try folder.write("c-empty.jpg", [])
        try folder.write("d-text.png", Array("hello".utf8))
        let zidane = try Data(contentsOf: URL(fileURLWithPath: TestAssets.photo("zidane.jpg")))
        try folder.write("e-cut.jpg", Array(zidane.prefix(zidane.count / 3)))
        try FileManager.default.copyItem(atPath: TestAssets.photo("lfd_android_test2.jpg"), toPath: folder.path("f-group.jpg"))

        let result = try CommandRunner.run(proctor, ["analyze", "--format", "jsonl", "--jobs", "2", folder.url.path, folder.path("missing.jpg")])
        #expect(result.status == 1, "stderr: \(result.stderr)")
        let records = try objects(result)
        #expect(records.count == 8)  // 7 inputs + the summary
        let images = records.compactMap { $0["image"] as? String }.map { ($0 as NSString).lastPathComponent }
        #expect(images == ["a-zidane.jpg", "b-phone.jpg", "c-empty.jpg", "d-text.png", "e-cut.jpg", "f-group.jpg", "missing.jpg"])
        let errors = records.filter { $0["error"] != nil }.count
        #expect(errors == 4)
        let last = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("error: 4 of 7 image(s) could not be analysed (first: ") && last.contains("c-empty.jpg"), "\(result.stderr)")
        #expect((records[0]["faces"] as? [Any])?.count == 2)
        #expect((records[0]["verdicts"] as? [String])?.contains("multiple_faces") == true)
        #expect((records[1]["objects"] as? [[String: Any]])?.contains { $0["label"] as? String == "cell phone" } == true)
        #expect((records[5]["faces"] as? [Any])?.count == 11)
        let face = try #require((records[0]["faces"] as? [[String: Any]])?.first)
        #expect((face["box"] as? [Double])?.count == 4 && (face["landmarks"] as? [[Double]])?.count == 5)
        #expect(face["yaw"] is Double && face["pitch"] is Double && face["roll"] is Double)
        let summary = try #require(records.last?["summary"] as? [String: Any])
        #expect(summary["images"] as? Int == 7 && summary["failed"] as? Int == 4)
    }

    @Test func pathsFromStdinAndCleanExit() throws {
        let input = [TestAssets.photo("keliamoniz1.jpg"), TestAssets.photo("bus.jpg")].joined(separator: "\n")
        let result = try CommandRunner.run(proctor, ["analyze", "--format", "jsonl", "-"], input: input)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(try objects(result).count == 3)
    }

    @Test func tableFormatEndsWithSummary() throws {
        let result = try CommandRunner.run(proctor, ["analyze", "--format", "table", TestAssets.photo("phone.jpg")])
        #expect(result.status == 0)
        #expect(result.stdout.contains("phone") && result.stdout.contains("1 images: 1 analyzed, 0 failed"))
    }

    @Test func usageErrorsExit64() throws {
        #expect(try CommandRunner.run(proctor, ["analyze"]).status == 64)
        #expect(try CommandRunner.run(proctor, ["analyze", "--jobs", "0", "x.jpg"]).status == 64)
        #expect(try CommandRunner.run(proctor, ["analyze", "--format", "xml", "x.jpg"]).status == 64)
    }

    /// Each analysed image's line is written when it is done: a reader sees it while the run goes on, and
    /// a run killed midway keeps every line it finished (a 64 KiB buffer lost up to a few hundred).
    @Test func recordsAreWrittenAsTheyAreDoneAndSurviveAKill() throws {
        let folder = try TemporaryDirectory()
        let paths = (0..<200).map { _ in TestAssets.photo("zidane.jpg") }.joined(separator: "\n")
        let output = folder.path("out.jsonl")
        #expect(FileManager.default.createFile(atPath: output, contents: nil))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: proctor)
        process.arguments = ["analyze", "--format", "jsonl", "--jobs", "1", "-q", "--models", TestAssets.modelsDirectory.path, "-"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(paths.utf8))
        try input.fileHandleForWriting.close()
        func lines() -> [String] {
            String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: output))) ?? Data(), as: UTF8.self)
                .split(separator: "\n").map(String.init)
        }
        // Bounded wait for the first line (200 images take far longer than the first one).
        for _ in 0..<1200 where lines().isEmpty && process.isRunning { usleep(50_000) }
        #expect(!lines().isEmpty && process.isRunning, "the first record was not written while the run went on")
        kill(process.processIdentifier, SIGKILL)  // any death; a test runner's children may inherit SIGTERM blocked
        process.waitUntilExit()
        let written = lines()
        #expect(process.terminationStatus != 0 && written.count < 200)
        for line in written {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "a cut line: \(line)")
            #expect((record["faces"] as? [Any])?.count == 2)
        }
    }

    /// A usage error found while running is one `error:` line too: not the root command's usage block,
    /// which through the stderr relay became three warning records and no error line.
    @Test func aUsageErrorFoundWhileRunningIsOneErrorLine() throws {
        let empty = try TemporaryDirectory()
        let result = try CommandRunner.run(proctor, ["analyze", "--models", TestAssets.modelsDirectory.path, empty.url.path])
        #expect(result.status == 64)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.last == "error: no images found in \(empty.url.path)", "\(result.stderr)")
        #expect(!result.stderr.contains("Usage:") && !result.stderr.contains("\"native\""), "\(result.stderr)")
        let migrate = try CommandRunner.run(proctor, ["db", "migrate"], environment: ["PROCTOR_DATABASE_URL": ""])
        #expect(migrate.status == 64 && migrate.stderr == "error: give --database-url URL (or set PROCTOR_DATABASE_URL)\n", "\(migrate.stderr)")
    }

    @Test func missingModelsAreAConfigurationError() throws {
        let empty = try TemporaryDirectory()
        let arguments = ["analyze", "--models", empty.url.path, "--format", "jsonl", TestAssets.photo("bus.jpg")]
        let result = try CommandRunner.run(proctor, arguments)
        #expect(result.status == 78, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("face_detection_yunet"), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// Allowed: no YuNet, the Haar fallback runs with a warning; no YOLOX, objects are skipped with a warning.
    @Test func missingModelsAreToleratedWhenDegradedRunsAreAllowed() throws {
        let empty = try TemporaryDirectory()
        let arguments = ["analyze", "--models", empty.url.path, "--format", "jsonl", "--allow-degraded", TestAssets.photo("bus.jpg")]
        let result = try CommandRunner.run(proctor, arguments)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("Haar"))
        #expect(result.stdout.split(separator: "\n").count == 2)  // the image, the summary
        // The output itself says so (stderr may be hidden by -q or not collected).
        let summary = try #require(objects(result).last?["summary"] as? [String: Any])
        let degraded = try #require(summary["degraded"] as? [String], "\(result.stdout)")
        #expect(degraded.count == 2 && degraded[0].hasPrefix("face model") && degraded[1].hasPrefix("object model"), "\(degraded)")
        let full = try CommandRunner.run(proctor, ["analyze", "--format", "jsonl", "--models", TestAssets.modelsDirectory.path, TestAssets.photo("bus.jpg")])
        #expect(try objects(full).last.map { ($0["summary"] as? [String: Any])?["degraded"] == nil } == true)
    }
}
