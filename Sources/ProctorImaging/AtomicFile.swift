import Foundation
import ProctorCore

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Files that appear whole or not at all, readable only as their mode says from the first byte: the
/// one writer for evidence in the media root, `proctor report` and the metrics file.
///
/// The bytes go to a hidden temporary file in the target's directory, created `O_CREAT|O_EXCL|O_NOFOLLOW`
/// with the final mode (so never readable by others, not even for a moment, and never through a planted
/// symlink), fsynced, then renamed over the target and the directory fsynced. A crash leaves the old
/// file or the new one, never a torn one; a temporary file a killed process left behind has a
/// recognisable name (`.<name>.<pid>.<random>.tmp`) for ``sweepStale(in:olderThan:now:)``.
public enum AtomicFile {
    /// Written and synced, not yet in place: ``commit()`` renames it into place, ``discard()`` removes it.
    public struct Staged: Sendable {
        public let temporaryPath: String
        public let targetPath: String

        /// Renames the file into place and syncs the directory.
        public func commit() throws(AtomicFileError) {
            guard rename(temporaryPath, targetPath) == 0 else {
                let code = errno
                unlink(temporaryPath)
                throw AtomicFileError(path: targetPath, what: "cannot rename into place", code: code)
            }
            AtomicFile.syncDirectory(of: targetPath)
        }

        public func discard() { unlink(temporaryPath) }
    }

    /// Writes `data` at `path` with exactly `mode` (the umask does not narrow it).
    public static func write(_ data: Data, to path: String, mode: mode_t) throws(AtomicFileError) {
        try stage(data, at: path, mode: mode).commit()
    }

    /// Writes and syncs `data` next to `path` without putting it in place yet. What is at `path` now must
    /// be nothing or a regular file that is not an SQLite database: a report or metrics file named like
    /// the outbox, or a device, FIFO or symlink given as the target, is refused rather than replaced.
    public static func stage(_ data: Data, at path: String, mode: mode_t) throws(AtomicFileError) -> Staged {
        try checkReplaceable(path)
        let directory = PathText.directory(of: path)
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw AtomicFileError(path: path, what: "cannot create a temporary file", code: errno) }
        let written = data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let count = systemWrite(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        let synced = written && fchmod(descriptor, mode) == 0 && fsync(descriptor) == 0
        let code = errno
        close(descriptor)
        guard synced else {
            unlink(temporary)
            throw AtomicFileError(path: path, what: "cannot write", code: code == 0 ? EIO : code)
        }
        return Staged(temporaryPath: temporary, targetPath: path)
    }

    /// Whether `name` is one of this writer's temporary files.
    public static func isTemporaryName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return name.hasPrefix(".") && name.hasSuffix(".tmp") && parts.count >= 5
            && Int32(parts[parts.count - 3]) != nil && UInt32(parts[parts.count - 2]) != nil
    }

    /// Removes this writer's temporary files in `directory` last modified more than `age` seconds ago
    /// (a live writer's file is seconds old); returns the names removed.
    @discardableResult
    public static func sweepStale(in directory: String, olderThan age: TimeInterval, now: Date = Date()) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names.sorted() where isTemporaryName(name) {
            let path = (directory as NSString).appendingPathComponent(name)
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            if now.timeIntervalSince1970 - modified > age, unlink(path) == 0 { removed.append(name) }
        }
        return removed
    }

    static func checkReplaceable(_ path: String) throws(AtomicFileError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there (or unreachable: the write says so)
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw AtomicFileError(path: path, what: "will not replace", code: EEXIST, note: "it is not a regular file")
        }
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var header = [UInt8](repeating: 0, count: 16)
        let count = header.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 16) }
        if count == 16, header == Array("SQLite format 3\u{0}".utf8) {
            throw AtomicFileError(path: path, what: "will not replace", code: EEXIST, note: "it is an SQLite database (an outbox?)")
        }
    }

    static func syncDirectory(of path: String) {
        let directory = PathText.directory(of: path)
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}

/// A failed atomic write: what could not be done to which file, and the system's reason.
public struct AtomicFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var what: String
    public var code: Int32
    /// Said instead of the system's text for `code`, when the writer itself refused.
    public var note: String?

    public init(path: String, what: String, code: Int32, note: String? = nil) {
        self.path = path
        self.what = what
        self.code = code
        self.note = note
    }

    public var reason: String { note ?? String(cString: strerror(code)) }
    public var description: String { "\(what) \(path): \(reason)" }
}
