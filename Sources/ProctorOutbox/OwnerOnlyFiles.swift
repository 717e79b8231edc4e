import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates and tightens the outbox's files so only the owner can read them: evidence is biometric data.
///
/// The database file is created 0600 before SQLite opens it. SQLite creates `-wal` and `-shm` with
/// the database file's mode, so they follow; files left looser by older versions or by hand are
/// tightened on every open. Nothing here touches the process umask, which other threads share.
enum OwnerOnlyFiles {
    static let fileMode: mode_t = 0o600
    static let directoryMode: mode_t = 0o700

    /// Makes sure the parent directory exists (0700 when created here) and the database file exists
    /// with mode 0600.
    static func prepareDatabase(at path: String) throws(OutboxError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: Int(directoryMode)])
            } catch {
                throw .cannotOpen(path: path, reason: "cannot create directory \(directory): \(error.localizedDescription)")
            }
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fchmod(descriptor, fileMode) == 0 else {
            throw .cannotOpen(path: path, reason: "cannot restrict permissions: \(String(cString: strerror(errno)))")
        }
        tightenCompanions(of: path)
    }

    /// Restricts the WAL and shared-memory files if they exist; a missing file is fine.
    static func tightenCompanions(of path: String) {
        for suffix in ["-wal", "-shm", "-journal"] {
            _ = chmod(path + suffix, fileMode)
        }
    }
}
