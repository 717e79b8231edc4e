import Foundation

/// Finds the model files on disk.
///
/// Search order: `$PROCTOR_MODELS`, then `models/` in the working directory, then `models/` beside the
/// executable's package (two levels above `.build/<config>/proctor`), `share/proctor-vision/models` in the folders
/// above the executable (`../share/proctor-vision/models` beside `bin/`), then `/usr/share/proctor-vision/models`.
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

    static func defaultDirectories() -> [String] {
        var result: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["PROCTOR_MODELS"], !explicit.isEmpty { result.append(explicit) }
        result.append((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("models"))
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        // .build/<triple>/<config>/proctor or .build/<config>/proctor -> package root
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            result.append(folder.appendingPathComponent("models").path)
            // An installed tree: <prefix>/bin/proctor or <prefix>/lib/proctor-vision/proctor -> <prefix>/share/...
            result.append(folder.appendingPathComponent("share/proctor-vision/models").path)
        }
        result.append("/usr/share/proctor-vision/models")
        return result
    }
}
