import Foundation
import Testing
@testable import ProctorOutbox

#if canImport(Glibc)
import Glibc
#endif

/// Kills a writer process at random moments and checks that nothing it reported as committed is
/// missing or damaged, and that the file is sound.
@Suite struct CrashSafetyTests {
    private struct Commit {
        var revision: Int
        var jpegHash: String
        var thumbnailHash: String
    }

    @Test func killedWritersLoseNothingCommitted() throws {
        let writer = try #require(Self.writerURL(), "OutboxCrashWriter is not built next to the test bundle")
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        var commits: [UUID: Commit] = [:]
        var killedMidRun = 0
        let rounds = 15

        for round in 0..<rounds {
            let process = Process()
            process.executableURL = writer
            process.arguments = [path, "round-\(round)"]
            let output = Pipe(), errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            // From "still opening the file" to "dozens of commits in".
            usleep(UInt32.random(in: 20_000...400_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(problems.isEmpty, "writer round \(round) reported: \(problems)")
            if process.terminationReason == .uncaughtSignal { killedMidRun += 1 }

            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                // A line cut by the kill is not a report; a report is only printed after its commit.
                guard fields.count == 5, fields[0] == "committed", let id = UUID(uuidString: String(fields[1])),
                    let revision = Int(fields[2]), fields[3].count == 16, fields[4].count == 16
                else { continue }
                commits[id] = Commit(revision: revision, jpegHash: String(fields[3]), thumbnailHash: String(fields[4]))
            }
        }
        #expect(killedMidRun == rounds)
        #expect(commits.count > 0, "no writer got as far as a commit")

        let outbox = try Outbox(path: path)
        defer { outbox.close() }
        #expect(try outbox.integrityCheck() == ["ok"])
        for (id, commit) in commits {
            let stored = try #require(try outbox.episode(id: id), "committed episode \(id) is missing")
            // The kill may land between a later commit and its report, never before a reported one.
            #expect(stored.revision >= commit.revision)
            if stored.revision == commit.revision {
                #expect(stored.record.labels.contains("jpeg:\(commit.jpegHash)"))
                #expect(stored.record.labels.contains("thumb:\(commit.thumbnailHash)"))
            }
        }
        // Every row, reported or not, must match the evidence committed with it.
        let episodes = try outbox.episodes()
        #expect(episodes.count >= commits.count)
        for episode in episodes {
            let evidence = try #require(try outbox.evidence(episodeID: episode.id))
            let jpeg = try #require(evidence.jpeg)
            let thumbnail = try #require(evidence.thumbnail)
            #expect(episode.record.labels.contains("jpeg:\(fnv64(jpeg))"), "episode \(episode.id) evidence is damaged")
            #expect(episode.record.labels.contains("thumb:\(fnv64(thumbnail))"))
        }
    }

    /// The writer binary sits in the build directory next to the test bundle (Linux: the bundle is
    /// an executable there; macOS: a few levels inside it).
    static func writerURL() -> URL? {
        var starts: [URL] = []
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        starts.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath())
        if let first = CommandLine.arguments.first { starts.append(URL(fileURLWithPath: first)) }
        for start in starts {
            var directory = start.deletingLastPathComponent()
            for _ in 0..<5 {
                let candidate = directory.appendingPathComponent("OutboxCrashWriter")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }
}
