import CVShim
import Foundation
import ProctorCore
import ProctorImaging

/// Finds and loads the OpenVINO C runtime (libopenvino_c.so.*) once per process.
///
/// Loaded with dlopen rather than linked, so the same binary runs on OpenCV where the runtime is absent
/// (`--engine auto`) and processes that never run a network (report, ship, episodes) never map its
/// ~90 MB of libraries. `$PROCTOR_OPENVINO`, when set, is the only place looked at (the library, or a
/// folder holding it or a `lib/` with it); otherwise `.openvino/lib` in the working directory and beside
/// the executable's package (where `scripts/setup` unpacks the pinned wheel), then
/// `/usr/lib/proctor-vision/openvino`.
public enum OpenVINORuntime {
    public struct Loaded: Sendable, Hashable {
        /// The runtime's build number, e.g. "2026.4.1-22982-e213a147257-releases/2026/4".
        public var version: String
        public var libraryPath: String

        /// "2026.4.1".
        public var shortVersion: String { String(version.prefix { $0 != "-" }) }
    }

    /// The result of the one load attempt (Swift runs a global's initialiser once, thread-safely).
    public static let status: Result<Loaded, VisionError> = load()

    /// The library's file name starts with this; its suffix is the runtime's version.
    static let libraryPrefix = "libopenvino_c.so"

    static func candidateDirectories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var result: [String] = []
        if let explicit = environment["PROCTOR_OPENVINO"], !explicit.isEmpty {
            result.append(explicit)
            result.append((explicit as NSString).appendingPathComponent("lib"))
            return result
        }
        result.append((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(".openvino/lib"))
        // .build/<triple>/<config>/proctor or .build/<config>/proctor -> package root
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        // The Debian package's layout: /usr/lib/proctor-vision/{proctor,openvino/} (also when unpacked elsewhere).
        result.append(folder.appendingPathComponent("openvino").path)
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            result.append(folder.appendingPathComponent(".openvino/lib").path)
        }
        result.append("/usr/lib/proctor-vision/openvino")
        return result
    }

    /// Regular files named libopenvino_c.so* in `path` (or `path` itself when it is such a file). Never
    /// a FIFO or device: dlopen on those would block or worse.
    static func libraries(at path: String) -> [String] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        if info.st_mode & S_IFMT == S_IFREG { return [path] }
        guard info.st_mode & S_IFMT == S_IFDIR, let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return names.filter { $0.hasPrefix(libraryPrefix) }.sorted().compactMap { name in
            let candidate = (path as NSString).appendingPathComponent(name)
            var fileInfo = stat()
            return stat(candidate, &fileInfo) == 0 && fileInfo.st_mode & S_IFMT == S_IFREG ? candidate : nil
        }
    }

    /// The CPU plugin's file name: a runtime without it loads and reads models but fails every compilation.
    static let cpuPlugin = "libopenvino_intel_cpu_plugin.so"

    /// Why the runtime beside `library` cannot run on the CPU, or nil. Checked as a regular file beside
    /// the library, not by loading the plugin (`ov_core_get_available_devices`): that would start TBB
    /// and hwloc in every process, `--version` too, and hwloc speaks on stderr in a root without /sys.
    static func missingCPUPlugin(beside library: String) -> String? {
        let plugin = (PathText.directory(of: library) as NSString).appendingPathComponent(cpuPlugin)
        var info = stat()
        guard stat(plugin, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            return "no CPU device: the runtime's CPU plugin (\(plugin)) is missing"
        }
        return nil
    }

    private static func load() -> Result<Loaded, VisionError> {
        let directories = candidateDirectories()
        var firstError: String?
        for directory in directories {
            for library in libraries(at: directory) {
                if let missing = missingCPUPlugin(beside: library) {
                    if firstError == nil { firstError = missing }
                    continue
                }
                do throws(VisionError) {
                    try shim("") { pv_openvino_load(library, $0, $1) }
                    return .success(Loaded(version: String(cString: pv_openvino_version()), libraryPath: library))
                } catch {
                    if firstError == nil { firstError = error.message }
                }
            }
        }
        if let firstError { return .failure(VisionError(firstError)) }
        if let explicit = ProcessInfo.processInfo.environment["PROCTOR_OPENVINO"], !explicit.isEmpty {
            return .failure(VisionError("no \(libraryPrefix)* at PROCTOR_OPENVINO=\(explicit.prefix(200))"))
        }
        return .failure(VisionError("no \(libraryPrefix)* in .openvino/lib or /usr/lib/proctor-vision/openvino (run scripts/setup)"))
    }
}
