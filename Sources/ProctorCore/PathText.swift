/// The folder part of a file path, as `dirname(1)` gives it. Foundation's
/// `NSString.deletingLastPathComponent` traps on a one-character path ("a", "o/") on Linux
/// (swift-corelibs-foundation), and an operator may well name an outbox or a report that way.
public enum PathText {
    /// "a/b" → "a", "/a" → "/", "a" → ".", "a/b/" → "a", "/" → "/", "" → ".".
    public static func directory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        var parent = trimmed[..<slash]
        while parent.count > 1, parent.hasSuffix("/") { parent = parent.dropLast() }
        return parent.isEmpty ? "/" : String(parent)
    }
}
