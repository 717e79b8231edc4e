import Foundation

/// Resolves stored file names under the media root and tells a missing file from a missing mount.
public struct MediaFiles: Sendable, Hashable {
    public let root: String

    public init(root: String) { self.root = root }

    /// Why the root cannot serve files now, or nil when it can. An empty directory counts as not
    /// mounted: that is what an unmounted mount point looks like, and judging every image "missing"
    /// would write wrong findings.
    public func unusableReason() -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else { return "media root \(root) does not exist" }
        guard isDirectory.boolValue else { return "media root \(root) is not a directory" }
        guard let first = try? FileManager.default.contentsOfDirectory(atPath: root), !first.isEmpty else {
            return "media root \(root) is empty or unreadable (not mounted?)"
        }
        return nil
    }

    /// The absolute path of a stored name; nil when the name is absolute or climbs out of the root.
    public func path(for stored: String) -> String? {
        let components = stored.split(separator: "/", omittingEmptySubsequences: true)
        guard !stored.hasPrefix("/"), !components.isEmpty, !components.contains(where: { $0 == ".." }) else { return nil }
        return (root as NSString).appendingPathComponent(components.joined(separator: "/"))
    }
}
