import Foundation
import Testing
@testable import ProctorOutbox

#if canImport(Glibc)
import Glibc
#endif

/// The database and its companions hold biometric evidence: owner-only, always.
@Suite struct PermissionsTests {
    private func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    @Test func databaseWalAndShmAreOwnerOnly() throws {
        let directory = try TemporaryDirectory()
        let outbox = try OutboxFixture.outbox(in: directory)
        try outbox.upsertEpisode(sessionID: "s1", episode: OutboxFixture.record(), evidenceJPEG: OutboxFixture.jpeg(1))
        let path = directory.path("outbox.sqlite")
        #expect(mode(path) == 0o600)
        #expect(mode(path + "-wal") == 0o600)
        #expect(mode(path + "-shm") == 0o600)
        outbox.close()
    }

    @Test func createdDirectoriesAreOwnerOnly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("nested/deeper/outbox.sqlite")
        let outbox = try Outbox(path: path)
        #expect(mode(directory.path("nested")) == 0o700)
        #expect(mode(directory.path("nested/deeper")) == 0o700)
        #expect(mode(path) == 0o600)
        outbox.close()
    }

    @Test func looserExistingFilesAreTightened() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("outbox.sqlite")
        do {
            let outbox = try Outbox(path: path)
            try outbox.openSession(id: "s1", studentID: "a", examID: "b", startedAt: Date())
            outbox.close()
        }
        #expect(chmod(path, 0o644) == 0)
        let reopened = try Outbox(path: path)
        #expect(mode(path) == 0o600)
        #expect(try reopened.sessions().count == 1)
        #expect(mode(path + "-wal") == 0o600)
        reopened.close()
    }
}
