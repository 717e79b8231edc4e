import Foundation
import ProctorImaging
import ProctorTestSupport
import Testing

/// The atomic writer replaces a regular file, and refuses what a mistyped path could point at: an
/// SQLite database (the outbox), a device, a FIFO, a symlink.
struct AtomicFileTargetTests {
    let folder: TemporaryDirectory

    init() throws {
        folder = try TemporaryDirectory(prefix: "atomic")
    }

    @Test func aRegularFileIsReplaced() throws {
        let path = try folder.write("report.html", Array("old".utf8))
        try AtomicFile.write(Data("new".utf8), to: path, mode: 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    }

    @Test func anSQLiteDatabaseIsRefusedAndKept() throws {
        let database = Array("SQLite format 3\u{0}".utf8) + [UInt8](repeating: 7, count: 100)
        let path = try folder.write("outbox.sqlite", database)
        #expect(throws: AtomicFileError.self) { try AtomicFile.write(Data("<html>".utf8), to: path, mode: 0o600) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(database))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func aFIFOAndASymlinkAreRefused() throws {
        let fifo = folder.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        do {
            try AtomicFile.write(Data("x".utf8), to: fifo, mode: 0o600)
            Issue.record("a FIFO was replaced")
        } catch {
            #expect(error.description == "will not replace \(fifo): it is not a regular file")
        }
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        let target = try folder.write("target", Array("keep".utf8))
        let link = folder.path("link")
        #expect(symlink(target, link) == 0)
        #expect(throws: AtomicFileError.self) { try AtomicFile.write(Data("x".utf8), to: link, mode: 0o600) }
        #expect(lstat(link, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
    }
}
