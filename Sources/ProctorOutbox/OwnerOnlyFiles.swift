import Foundation
import ProctorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks and tightens the outbox's files so only the owner can read them (evidence is biometric
/// data), without ever altering a file that is not an outbox.
///
/// Before SQLite opens anything: the database must be a regular file that is empty (just created) or
/// starts with the SQLite header, and its side files (`-journal`, `-wal`, `-shm`) must be regular
/// files or absent: a symlink planted there would make SQLite (and a chmod) write through it. Only
/// once the file proved to be an outbox are its mode and its side files' set to 0600, each through a
/// descriptor opened without following symlinks. Nothing here touches the process umask, which other
/// threads share.
enum OwnerOnlyFiles {
    static let fileMode: mode_t = 0o600
    static let directoryMode: mode_t = 0o700
    static let sideSuffixes = ["-journal", "-wal", "-shm"]
    /// The first 16 bytes of every SQLite 3 database.
    static let sqliteHeader = Array("SQLite format 3\0".utf8)

    /// For writers: makes sure the parent directory exists (0700 when created here) and the database
    /// file exists (created 0600), and that it and its side files pass the checks above.
    static func prepareDatabase(at path: String) throws(OutboxError) {
        let directory = PathText.directory(of: path)
        // A bare file name ("x.db") lives in the working directory, which exists.
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: Int(directoryMode)])
            } catch {
                throw .cannotOpen(path: path, reason: "cannot create directory \(directory): \(error.localizedDescription)")
            }
        }
        var descriptor = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        var created = false
        if descriptor < 0, errno == ENOENT {
            // New: created here, never through a dangling symlink.
            descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, fileMode)
            created = true
        }
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        // An empty file is a new outbox only when made here, or left by a run that died right after
        // making it (owner-only, ours); any other empty file is someone else's.
        try requireDatabase(descriptor, path: path, allowEmpty: created ? .always : .ifOwnerOnly)
        try requirePlainSideFiles(of: path)
    }

    /// For readers: the file must exist and pass the same checks; nothing is created or changed.
    static func checkExisting(at path: String) throws(OutboxError) {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        try requireDatabase(descriptor, path: path, allowEmpty: .never)
        try requirePlainSideFiles(of: path)
    }

    /// Sets the database and its existing side files to 0600; called once the file proved an outbox,
    /// so while this process's SQLite connection is open.
    ///
    /// Never through an ordinary descriptor: closing any descriptor of a file drops every POSIX lock the
    /// process holds on it, SQLite's included. Losing the shared lock on `-shm` lets the next process to
    /// open the outbox think it is alone and truncate the WAL index under this process's mapping (a bus
    /// error in the monitor). `fchmodat(..., AT_SYMLINK_NOFOLLOW)` works through an O_PATH descriptor,
    /// whose close releases no lock, and refuses a symlink.
    static func restrict(_ path: String) throws(OutboxError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notAnOutbox(path: path, reason: "not a regular file") }
        guard fchmodat(AT_FDCWD, path, fileMode, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw .cannotOpen(path: path, reason: "cannot restrict permissions: \(String(cString: strerror(errno)))")
        }
        tightenCompanions(of: path)
    }

    /// Restricts the side files that exist, never through a symlink (nor an ordinary descriptor, see
    /// ``restrict(_:)``); a missing file is fine.
    static func tightenCompanions(of path: String) {
        for suffix in sideSuffixes {
            var info = stat()
            guard lstat(path + suffix, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            _ = fchmodat(AT_FDCWD, path + suffix, fileMode, AT_SYMLINK_NOFOLLOW)
        }
    }

    enum EmptyFile { case always, ifOwnerOnly, never }

    /// A regular file with the SQLite header (or empty, as `allowEmpty` says).
    private static func requireDatabase(_ descriptor: Int32, path: String, allowEmpty: EmptyFile) throws(OutboxError) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notAnOutbox(path: path, reason: "not a regular file") }
        if info.st_size == 0 {
            switch allowEmpty {
            case .always: return
            case .ifOwnerOnly where info.st_mode & 0o777 == fileMode && info.st_uid == geteuid(): return
            default: throw .notAnOutbox(path: path, reason: "an empty file")
            }
        }
        var header = [UInt8](repeating: 0, count: sqliteHeader.count)
        let count = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count == sqliteHeader.count, header == sqliteHeader else {
            throw .notAnOutbox(path: path, reason: "not an SQLite database")
        }
    }

    private static func requirePlainSideFiles(of path: String) throws(OutboxError) {
        for suffix in sideSuffixes {
            var info = stat()
            guard lstat(path + suffix, &info) == 0 else { continue }
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                let kind = (info.st_mode & S_IFMT) == S_IFLNK ? "a symbolic link" : "not a regular file"
                throw .cannotOpen(path: path, reason: "its side file \(path + suffix) is \(kind): refusing to use it")
            }
        }
    }
}
