import Foundation

/// Finds the model files on disk.
///
/// Search order: `$PROCTOR_MODELS`, then `models/` in the working directory, then beside the binary
/// (`<bindir>/../share/proctor-vision/models`, an installed layout such as /usr/bin + /usr/share or
/// /opt/proctor-vision/bin + share; then `<bindir>/models`, an unpacked tarball), then `models/` and
/// `share/proctor-vision/models` in the folders above (the package of `.build/<config>/proctor`; the
/// package's /usr/lib/proctor-vision/proctor), then `/usr/share/proctor-vision/models`.
public struct ModelLocator: Sendable {
    public static let faceModel = "face_detection_yunet_2022mar.onnx"
    public static let objectModel = "yolox_nano.onnx"

    public var directories: [String]

    public init(directories: [String]? = nil) {
        self.directories = directories ?? Self.defaultDirectories()
    }

    /// The first existing file named `name` in the search directories.
    public func path(for name: String) -> String? {
        for directory in directories {
            let candidate = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.isReadableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// - Parameter executable: the running binary's path (a symlink is followed to the real file).
    static func defaultDirectories(executable path: String = CommandLine.arguments.first ?? "") -> [String] {
        var result: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["PROCTOR_MODELS"], !explicit.isEmpty { result.append(explicit) }
        result.append((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("models"))
        let executable = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        // .build/<triple>/<config>/proctor or .build/<config>/proctor -> package root
        var folder = executable.deletingLastPathComponent()
        result.append(folder.deletingLastPathComponent().appendingPathComponent("share/proctor-vision/models").path)
        result.append(folder.appendingPathComponent("models").path)
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            result.append(folder.appendingPathComponent("models").path)
            // An installed tree: <prefix>/bin/proctor or <prefix>/lib/proctor-vision/proctor -> <prefix>/share/...
            result.append(folder.appendingPathComponent("share/proctor-vision/models").path)
        }
        result.append("/usr/share/proctor-vision/models")
        // A binary near / reaches the same folder by several of the paths above: each is searched, and
        // named in a not-found message, once.
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }
}
