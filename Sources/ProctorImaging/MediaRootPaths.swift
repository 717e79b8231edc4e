import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading stored names back (reports, reanalysis): the one place that decides whether a name the
/// database holds is a file inside the media root.
extension MediaRoot {
    /// The absolute path of a stored name (`cheating_images/x.jpg`, relative to the root); nil when the
    /// name is absolute or climbs out of the root.
    public func path(for stored: String) -> String? {
        let components = stored.split(separator: "/", omittingEmptySubsequences: true)
        guard !stored.hasPrefix("/"), !components.isEmpty, !components.contains(where: { $0 == ".." }) else { return nil }
        return (path as NSString).appendingPathComponent(components.joined(separator: "/"))
    }

    /// Why the root cannot serve files now, or nil when it can. An empty directory counts as not
    /// mounted: that is what an unmounted mount point looks like, and judging every image "missing"
    /// would write wrong findings.
    public func unusableReason() -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "media root \(path) does not exist" }
        guard isDirectory.boolValue else { return "media root \(path) is not a directory" }
        guard let first = try? FileManager.default.contentsOfDirectory(atPath: path), !first.isEmpty else {
            return "media root \(path) is empty or unreadable (not mounted?)"
        }
        return nil
    }

    /// Where a stored file really is, symlinks resolved.
    public enum Resolution: Sendable, Hashable {
        /// Inside the root: the resolved path, to be opened without following symlinks.
        case inside(String)
        /// A symlink (of the file or a directory on the way) leads out of the root.
        case outside
        case missing
    }

    /// Resolves `file` (from ``path(for:)``) with realpath(3) and checks it stays under the root's own
    /// real path: a row pointing at `cheating_images/x.jpg -> /etc/passwd` must not be read.
    public func resolve(_ file: String) -> Resolution {
        guard let real = Self.realPath(file) else { return .missing }
        guard let realRoot = Self.realPath(path) else { return .outside }
        let prefix = realRoot.hasSuffix("/") ? realRoot : realRoot + "/"
        return real.hasPrefix(prefix) ? .inside(real) : .outside
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
