import Foundation
import ProctorTestSupport
import ProctorVision
import Testing

/// `--reference PHOTO` on `proctor analyze` and `proctor monitor`: the real binary, real models, real photos.
/// Needs the models and the deepface photos (scripts/setup): fails, not skips, when they are missing.
struct IdentityCommandTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    func records(_ result: CommandResult) throws -> [[String: Any]] {
        try result.lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
        }
    }

    @Test func analyzeWithAReferenceGivesEachFaceItsIdentity() throws {
        let result = try CommandRunner.run(
            proctor,
            [
                "analyze", "--format", "jsonl", "--jobs", "2", "--reference", IdentityAssets.deepface("img2.jpg"), "--timings",
                IdentityAssets.deepface("img1.jpg"), IdentityAssets.deepface("img3.jpg"), TestAssets.photo("zidane.jpg"),
            ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = try records(result)
        try #require(lines.count == 4)
        func identity(_ record: [String: Any]) -> [[String: Any]] {
            ((record["faces"] as? [[String: Any]]) ?? []).compactMap { $0["identity"] as? [String: Any] }
        }
        let same = try #require(identity(lines[0]).first), other = try #require(identity(lines[1]).first)
        #expect(same["match"] as? Bool == true && (same["similarity"] as? Double ?? 0) > 0.42)
        #expect(other["match"] as? Bool == false && (other["similarity"] as? Double ?? 1) < 0.42)
        #expect(same["usable"] as? Bool == true)
        // Every face is compared, strangers included.
        #expect(identity(lines[2]).count == 2 && identity(lines[2]).allSatisfy { $0["match"] as? Bool == false })
        #expect((lines[0]["timings"] as? [String: Any])?["identity"] is Double)

        let table = try CommandRunner.run(
            proctor, ["analyze", "--format", "table", "--reference", IdentityAssets.deepface("img2.jpg"), IdentityAssets.deepface("img3.jpg")])
        #expect(table.status == 0)
        #expect(table.stdout.contains("IDENTITY") && table.stdout.contains("DIFFERENT"))
    }

    @Test func withoutAReferenceThereIsNoIdentityAndNoCost() throws {
        let result = try CommandRunner.run(proctor, ["analyze", "--format", "jsonl", "--timings", IdentityAssets.deepface("img1.jpg")])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let record = try #require(try records(result).first)
        let faces = try #require(record["faces"] as? [[String: Any]])
        #expect(!faces.isEmpty && faces.allSatisfy { $0["identity"] == nil })
        // No comparison ran at all: the timings have no identity stage.
        #expect((record["timings"] as? [String: Any])?["identity"] == nil)
        #expect(!result.stdout.contains("similarity"))
        let table = try CommandRunner.run(proctor, ["analyze", "--format", "table", IdentityAssets.deepface("img1.jpg")])
        #expect(!table.stdout.contains("IDENTITY"))
    }

    @Test(arguments: [
        ("no face", "phone2.jpg", "no face found"),
        ("two faces", "zidane.jpg", "2 faces found"),
        ("not an image", "", "reference photo"),
        ("a FIFO", "fifo", "not a regular file"),
    ])
    func badReferenceIsAUsageErrorWithTheReason(_ label: String, _ photo: String, _ reason: String) throws {
        let folder = try TemporaryDirectory()
        var reference = photo.isEmpty ? try folder.write("notes.jpg", Array("not a photo".utf8)) : TestAssets.photo(photo)
        if photo == "fifo" {
            reference = folder.path("photo.jpg")
            #expect(mkfifo(reference, 0o600) == 0)
        }
        let analyze = try CommandRunner.run(proctor, ["analyze", "--format", "jsonl", "--reference", reference, TestAssets.photo("bus.jpg")])
        #expect(analyze.status == 64, "\(label): \(analyze.stderr)")
        let errors = analyze.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors.first?.contains(reason) == true, "\(label): \(analyze.stderr)")
        #expect(analyze.stdout.isEmpty, "nothing analysed with a bad reference")

        let monitor = try CommandRunner.run(
            proctor,
            ["monitor", "--source", TestAssets.photosDirectory.path, "--student", "s-1", "--outbox", folder.path("o.sqlite"), "--reference", reference])
        #expect(monitor.status == 64, "\(label): \(monitor.stderr)")
        #expect(monitor.stderr.contains(reason), "\(label): \(monitor.stderr)")
    }

    /// Person A (the registered student), then B, then A again, as webcam-like frames at 2 fps:
    /// exactly one `different_person` episode, inside B's stretch.
    @Test func monitorReplayOfABAOpensOneDifferentPersonEpisodeDuringB() throws {
        let folder = try TemporaryDirectory()
        let clip = folder.path("clip")
        try IdentityAssets.writeABAReplay(into: clip)
        let outbox = folder.path("outbox.sqlite")
        let run = try CommandRunner.run(
            proctor,
            [
                "monitor", "--source", clip, "--student", "s-1", "--outbox", outbox, "--fps", "2", "--reference",
                IdentityAssets.deepface("img2.jpg"), "-q",
            ])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let listed = try CommandRunner.run(proctor, ["episodes", "--outbox", outbox, "--format", "json"])
        let episodes = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let different = episodes.filter { $0["type"] as? String == "different_person" }
        try #require(different.count == 1, "episodes: \(episodes.map { $0["type"] ?? "?" })")
        let episode = different[0]
        #expect(episode["severity"] as? String == "high" && episode["state"] as? String == "closed")
        #expect(episode["hasEvidence"] as? Bool == true)
        let start = try #require(episode["start"] as? Double), end = try #require(episode["end"] as? Double)
        #expect(start >= 5 && start < 7, "starts with B: \(start)")
        #expect(end <= 10.5 && end >= 9, "ends with B: \(end)")
    }
}
