import Foundation
import ProctorTestSupport
import Testing

/// `proctor monitor`'s stderr as a log collector sees it (not a terminal) and as a person does (a pty).
@Suite(.requiresModels)
struct StructuredLogTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    @Test func everyLineIsJSONWithNumbersAndIDs() throws {
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.demo(in: folder)
        let result = try CommandRunner.run(
            proctor, ["monitor", "--source", clip, "--student", "s-5", "--outbox", folder.path("outbox.sqlite"), "--session-id", "sess-1"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        var objects: [[String: Any]] = []
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let object { objects.append(object) }
        }
        // One startup line: version, models, settings (numbers as numbers).
        let startup = objects.filter { $0["msg"] as? String == "monitoring" }
        #expect(startup.count == 1)
        let first = try #require(startup.first)
        #expect(first["version"] is String && first["session"] as? String == "sess-1")
        let models = try #require(first["models"] as? [String: Any])
        #expect((models["face"] as? String)?.hasSuffix(".onnx") == true && (models["object"] as? String)?.hasSuffix(".onnx") == true)
        let settings = try #require(first["settings"] as? [String: Any], "\(first)")
        #expect(settings["fps"] as? Double == 2)
        #expect(settings["objectEvery"] is Int)

        // Episode lines: session and episode ids, numeric times, opened and closed at the same level.
        let opened = objects.filter { $0["msg"] as? String == "episode opened" }
        let closed = objects.filter { $0["msg"] as? String == "episode closed" }
        #expect(opened.count >= 3)
        #expect(Set(opened.compactMap { $0["episode"] as? String }) == Set(closed.compactMap { $0["episode"] as? String }))
        for line in opened + closed {
            #expect(line["session"] as? String == "sess-1", "\(line)")
            #expect((line["episode"] as? String)?.count == 36, "\(line)")
            #expect(line["start"] is Double || line["start"] is Int, "start is not a number: \(line)")
        }
        #expect(Set((opened + closed).compactMap { $0["level"] as? String }).count == 1)
        #expect(closed.allSatisfy { $0["end"] is Double || $0["end"] is Int })

        // The end of the session is a JSON line with numbers, not a sentence.
        let end = try #require(objects.first { $0["msg"] as? String == "session closed" })
        #expect(end["framesAnalysed"] as? Int == DemoClip.segments.reduce(0) { $0 + $1.frames })
        #expect(end["episodes"] as? Int == opened.count)
        #expect(!result.stderr.contains("frames analysed,"))
    }

    @Test func aBrokenVideoLeavesNoRawOpenCVOrFFmpegMessages() throws {
        let folder = try TemporaryDirectory()
        // An MP4 header over noise: FFmpeg ("moov atom not found") and OpenCV's GStreamer backend both
        // complain on their own stderr unless silenced.
        var bytes: [UInt8] = [0, 0, 0, 0x18] + Array("ftypmp42".utf8) + [0, 0, 0, 0] + Array("mp42isom".utf8)
        var generator = SystemRandomNumberGenerator()
        bytes += (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let video = try folder.write("exam.mp4", bytes)
        let result = try CommandRunner.run(proctor, ["monitor", "--source", video, "--student", "s-5", "--outbox", folder.path("o.sqlite")])
        #expect(result.status == 66, "stderr: \(result.stderr)")
        let lines = result.stderr.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        // The one-line error that ends the command, and JSON log lines before it: nothing else.
        #expect(lines.last?.hasPrefix("error: ") == true, "\(result.stderr)")
        for line in lines.dropLast() {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "raw line on stderr: \(line)")
        }
    }

    @Test func onATerminalTheStatusLineNamesOpenEpisodesAndMakesWayForLogLines() throws {
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.demo(in: folder)
        // script(1) gives the monitor a pseudo-terminal and copies what it draws to a file.
        let typescript = folder.path("typescript")
        let command = [proctor, "monitor", "--source", clip, "--student", "s-5", "--outbox", folder.path("outbox.sqlite")]
            .map { "'\($0)'" }.joined(separator: " ")
        let result = try CommandRunner.run("/usr/bin/script", ["-q", "-e", "-c", command, typescript])
        #expect(result.status == 0, "\(result.stderr)")
        let drawn = try String(contentsOfFile: typescript, encoding: .utf8)
        #expect(drawn.contains("open: face_absent"), "\(drawn.suffix(2000))")
        #expect(drawn.contains("open: none"))
        // Every log line starts on a cleared line: never glued after a status line's text.
        let clear = "\r\u{1B}[2K"
        for marker in ["notice: episode opened", "notice: episode closed"] {
            var searchFrom = drawn.startIndex
            var seen = 0
            while let found = drawn.range(of: marker, range: searchFrom..<drawn.endIndex) {
                let before = drawn[..<found.lowerBound]
                #expect(before.hasSuffix(clear) || before.hasSuffix("\n"), "\(marker) drawn over the status line")
                searchFrom = found.upperBound
                seen += 1
            }
            #expect(seen >= 1, "\(marker) not on the terminal")
        }
    }
}
