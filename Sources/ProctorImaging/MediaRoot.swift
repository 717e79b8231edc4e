import Foundation
import ProctorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The service's media directory (Django's MEDIA_ROOT): where delivery writes evidence files and
/// where reports and reanalysis read stored names (`cheating_images/violation_<id>.jpg`) back, never
/// outside it.
///
/// Files are written with ``AtomicFile``: a temp file in the target directory, fsynced, renamed over
/// the final name, then the directory fsynced; a crash leaves either the old file or the new one,
/// never a torn JPEG the database already points to. Files are 0640 and directories 0750: evidence is
/// biometric data, and the web server reads it through its group.
public struct MediaRoot: Sendable, Hashable {
    public let path: String
    static let fileMode: mode_t = 0o640
    static let directoryMode: mode_t = 0o750

    public init(path: String) { self.path = path }

    /// Writes `data` at `relativePath` (e.g. `cheating_images/violation_<id>.jpg`), creating the
    /// subdirectory when missing. The media root itself must exist: creating it would hide a typo.
    public func write(_ data: Data, to relativePath: String) throws(MediaRootError) {
        let staged = try stage(data, to: relativePath)
        do {
            try staged.commit()
        } catch {
            throw MediaRootError("media root \(path): cannot rename into \(relativePath): \(error.reason)")
        }
    }

    /// Writes and syncs `data` beside `relativePath` without putting it in place: the caller commits
    /// it once the database row that points at it is committed, or discards it.
    public func stage(_ data: Data, to relativePath: String) throws(MediaRootError) -> AtomicFile.Staged {
        let target = (path as NSString).appendingPathComponent(relativePath)
        let directory = PathText.directory(of: target)
        try requireRoot()
        if mkdir(directory, Self.directoryMode) != 0, errno != EEXIST {
            throw failure("cannot create \(relativePath)'s directory")
        }
        do {
            return try AtomicFile.stage(data, at: target, mode: Self.fileMode)
        } catch {
            throw MediaRootError("media root \(path): cannot write \(relativePath): \(error.reason)")
        }
    }

    /// Seconds after which a temporary file in the media root is a dead writer's: a live one keeps
    /// its file for one transaction (statement timeout 10 s).
    public static let staleTemporaryAge: TimeInterval = 15 * 60

    /// Removes temporary evidence files a killed writer left in `subdirectory`; returns their names.
    @discardableResult
    public func sweepStaleTemporaryFiles(in subdirectory: String = "cheating_images", now: Date = Date()) -> [String] {
        AtomicFile.sweepStale(
            in: (path as NSString).appendingPathComponent(subdirectory), olderThan: Self.staleTemporaryAge, now: now)
    }

    /// Proves the root can take files now: writes, syncs and removes a probe. For `proctor doctor`.
    public func checkWritable() throws(MediaRootError) {
        let probe = ".proctor-doctor-\(getpid())"
        try write(Data("probe".utf8), to: probe)
        unlink((path as NSString).appendingPathComponent(probe))
    }

    private func requireRoot() throws(MediaRootError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MediaRootError("media root \(path) does not exist")
        }
        guard isDirectory.boolValue else { throw MediaRootError("media root \(path) is not a directory") }
    }

    private func failure(_ what: String) -> MediaRootError {
        MediaRootError("media root \(path): \(what): \(String(cString: strerror(errno)))")
    }
}

/// A media root that cannot take or serve files: a local file system problem, the deployment's to fix.
public struct MediaRootError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
