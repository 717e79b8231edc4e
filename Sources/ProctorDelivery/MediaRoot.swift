import Foundation

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// The service's media directory (Django's MEDIA_ROOT), where evidence files go.
///
/// Files are written atomically: a temp file in the target directory, fsynced, renamed over the
/// final name, then the directory fsynced; a crash leaves either the old file or the new one, never
/// a torn JPEG the database already points to. Files are 0640 and directories 0750: evidence is
/// biometric data, and the web server reads it through its group.
public struct MediaRoot: Sendable, Hashable {
    public let path: String
    static let fileMode: mode_t = 0o640
    static let directoryMode: mode_t = 0o750

    public init(path: String) { self.path = path }

    /// Writes `data` at `relativePath` (e.g. `cheating_images/violation_<id>.jpg`), creating the
    /// subdirectory when missing. The media root itself must exist: creating it would hide a typo.
    public func write(_ data: Data, to relativePath: String) throws(DeliveryFailure) {
        let target = (path as NSString).appendingPathComponent(relativePath)
        let directory = (target as NSString).deletingLastPathComponent
        try requireRoot()
        if mkdir(directory, Self.directoryMode) != 0, errno != EEXIST {
            throw failure("cannot create \(relativePath)'s directory")
        }
        let temporary = (directory as NSString).appendingPathComponent(
            ".\((target as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, Self.fileMode)
        guard descriptor >= 0 else { throw failure("cannot write \(relativePath)") }
        var done = false
        defer {
            if !done { unlink(temporary) }
        }
        // The umask may have narrowed the mode; fchmod sets exactly what the web server needs.
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
        let synced = written && fchmod(descriptor, Self.fileMode) == 0 && fsync(descriptor) == 0
        let code = errno
        close(descriptor)
        guard synced else {
            errno = code
            throw failure("cannot write \(relativePath)")
        }
        guard rename(temporary, target) == 0 else { throw failure("cannot rename into \(relativePath)") }
        done = true
        syncDirectory(directory)
    }

    /// Proves the root can take files now: writes, syncs and removes a probe. For `proctor doctor`.
    public func checkWritable() throws(DeliveryFailure) {
        let probe = ".proctor-doctor-\(getpid())"
        try write(Data("probe".utf8), to: probe)
        unlink((path as NSString).appendingPathComponent(probe))
    }

    private func requireRoot() throws(DeliveryFailure) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unusable("media root \(path) does not exist")
        }
        guard isDirectory.boolValue else { throw .unusable("media root \(path) is not a directory") }
    }

    private func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// A local file system problem is the deployment's to fix: the sink is unusable until then.
    private func failure(_ what: String) -> DeliveryFailure {
        .unusable("media root \(path): \(what): \(String(cString: strerror(errno)))")
    }
}
