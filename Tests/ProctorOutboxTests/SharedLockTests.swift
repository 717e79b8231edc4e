import Foundation
import Testing
@testable import ProctorOutbox

#if canImport(Glibc)
import Glibc
#endif

/// The outbox's own permission fixes must not cost SQLite its locks: closing any descriptor of a file
/// drops every POSIX lock the process holds on it, and without its shared lock on `-shm` the next
/// process to open the outbox truncates the WAL index under the monitor's mapping (a bus error).
@Suite struct SharedLockTests {
    @Test func openingKeepsSQLitesLockOnTheWALIndex() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        defer { outbox.close() }
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record())
        let shm = directory.path("outbox.sqlite-shm")
        var info = stat()
        try #require(stat(shm, &info) == 0, "no WAL index after a write")
        #expect(try locksHeld(onInode: UInt64(info.st_ino)) > 0, "this process holds no lock on \(shm)")
    }

    @Test func anotherProcessOpeningTheOutboxLeavesItUsable() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        let outbox = try OutboxFixture.outbox(in: directory)
        defer { outbox.close() }
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record())
        // Another program (a backup, sqlite3, a second proctor) reads and writes meanwhile.
        let other = Process()
        other.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        other.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('select count(*) from sessions').fetchall(); "
                + "c.execute('create table if not exists scratch(x)'); c.execute('insert into scratch values (1)'); c.commit(); c.close()",
            path,
        ]
        try other.run()
        other.waitUntilExit()
        #expect(other.terminationStatus == 0)
        // With the WAL index truncated under it, this would be a bus error.
        for _ in 0..<20 { try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record()) }
        #expect(try outbox.episodes(sessionID: "s1").count == 21)
        #expect(try outbox.integrityCheck() == ["ok"])
    }

    /// POSIX locks this process holds on the file with `inode`, from /proc/locks.
    private func locksHeld(onInode inode: UInt64) throws -> Int {
        let table = try String(contentsOfFile: "/proc/locks", encoding: .utf8)
        let pid = String(getpid())
        return table.split(separator: "\n").filter { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // "1: POSIX  ADVISORY  READ 1234 08:01:5678 128 128"
            guard fields.count >= 6, fields[1] == "POSIX", fields[4] == pid else { return false }
            return fields[5].split(separator: ":").last.map { UInt64($0) == inode } ?? false
        }.count
    }
}
