import Foundation
import Testing
@testable import ProctorOutbox

#if canImport(Glibc)
import Glibc
#endif

/// `--outbox` pointed at something that is not an outbox: refused, and the file left exactly as it was;
/// side files are never followed through symlinks; a read-only outbox can still be listed.
@Suite struct ForeignFileTests {
    private func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    private func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private func isNotAnOutbox(_ error: OutboxError) -> Bool {
        if case .notAnOutbox = error { return true }
        return false
    }

    @Test(arguments: [Access.readWrite, Access.readOnly])
    func aTextFileIsRefusedUntouched(access: Access) throws {
        let directory = try TemporaryDirectory()
        let victim = directory.path("victim.txt")
        try Data("my notes\n".utf8).write(to: URL(fileURLWithPath: victim))
        #expect(chmod(victim, 0o644) == 0)
        let link = directory.path("outbox.sqlite")
        #expect(symlink(victim, link) == 0)
        for path in [victim, link] {
            #expect(throws: OutboxError.self) { try Outbox(path: path, access: access.outbox) }
            do { _ = try Outbox(path: path, access: access.outbox) } catch { #expect(isNotAnOutbox(error), "\(error)") }
        }
        #expect(mode(victim) == 0o644)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "my notes\n")
        for suffix in ["-journal", "-wal", "-shm"] {
            #expect(!exists(victim + suffix) && !exists(link + suffix))
        }
    }

    @Test func anEmptyFileOfSomeoneElseIsRefused() throws {
        let directory = try TemporaryDirectory()
        let victim = directory.path("empty.txt")
        #expect(FileManager.default.createFile(atPath: victim, contents: Data()))
        #expect(chmod(victim, 0o644) == 0)
        #expect(throws: OutboxError.self) { try Outbox(path: victim) }
        #expect(throws: OutboxError.self) { try Outbox(path: victim, access: .readOnly) }
        #expect(mode(victim) == 0o644)
        #expect((try FileManager.default.attributesOfItem(atPath: victim)[.size] as? Int) == 0)
    }

    @Test func anotherProgramsDatabaseIsRefusedUntouched() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("app.db")
        do {
            let other = try SQLiteConnection(path: path)
            try other.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
            other.close()
        }
        #expect(chmod(path, 0o644) == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        do { _ = try Outbox(path: path) } catch { #expect(isNotAnOutbox(error), "\(error)") }
        #expect(mode(path) == 0o644)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test(arguments: ["-journal", "-wal", "-shm"])
    func aPlantedSideFileSymlinkIsRefusedAndNotFollowed(suffix: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        try OutboxFixture.outbox(in: directory).close()
        for side in ["-wal", "-shm"] { unlink(path + side) }
        let victim = directory.path("victim.txt")
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: victim))
        #expect(chmod(victim, 0o644) == 0)
        #expect(symlink(victim, path + suffix) == 0)
        #expect(throws: OutboxError.self) { try Outbox(path: path) }
        #expect(throws: OutboxError.self) { try Outbox(path: path, access: .readOnly) }
        #expect(mode(victim) == 0o644)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "secret\n")
    }

    @Test func listingNeitherCreatesNorChangesAnything() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: OutboxError.self) { try Outbox(path: directory.path("missing.sqlite"), access: .readOnly) }
        #expect(!exists(directory.path("missing.sqlite")))

        let path = directory.path("outbox.sqlite")
        let writer = try OutboxFixture.outbox(in: directory)
        try writer.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(), evidenceJPEG: OutboxFixture.jpeg(1))
        writer.close()
        // Looser than the writer leaves it: a reader must not "fix" it either.
        #expect(chmod(path, 0o640) == 0)
        let reader = try Outbox(path: path, access: .readOnly)
        #expect(try reader.episodes(sessionID: nil).count == 1)
        #expect(throws: OutboxError.self) { try reader.openSession(id: "s2", studentID: "a", examID: "b", startedAt: Date()) }
        reader.close()
        #expect(mode(path) == 0o640)
    }

    @Test func aReadOnlyOutboxInAReadOnlyDirectoryCanBeListed() throws {
        guard geteuid() != 0 else {
            print("skipped: root ignores file permissions, so a read-only outbox cannot be made")
            return
        }
        let directory = try TemporaryDirectory()
        let folder = directory.path("ro")
        let path = folder + "/outbox.sqlite"
        let writer = try Outbox(path: path)
        try writer.openSession(id: "s1", studentID: "student", examID: "exam", startedAt: OutboxFixture.sessionStart)
        try writer.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(), evidenceJPEG: OutboxFixture.jpeg(2))
        writer.close()
        #expect(chmod(path, 0o400) == 0)
        #expect(chmod(folder, 0o500) == 0)
        defer { chmod(folder, 0o700) }
        let reader = try Outbox(path: path, access: .readOnly)
        #expect(try reader.sessions().count == 1)
        #expect(try reader.episodes(sessionID: "s1").count == 1)
        reader.close()
    }
}

/// The access modes, as test arguments.
enum Access: CaseIterable, Sendable, CustomTestStringConvertible {
    case readWrite, readOnly
    var outbox: Outbox.Access { self == .readWrite ? .readWrite : .readOnly }
    var testDescription: String { self == .readWrite ? "read-write" : "read-only" }
}
