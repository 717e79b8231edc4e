import CVShim
import Foundation

/// libProctorCVIO.so: OpenCV's imgcodecs and videoio, which drag about 60 MB of libraries (GDAL,
/// GDCM, poppler, OpenEXR, ffmpeg, gstreamer) into a process. Loaded only when a non-JPEG image, a
/// rotated or CMYK JPEG, or a video is read.
public enum IOLibrary {
    /// The library's file name ("libProctorCVIO.so").
    public static var fileName: String { String(cString: pv_io_library_name()) }

    /// Loads the library now (`proctor doctor`: a missing one otherwise shows only on the first image
    /// or video that needs it).
    public static func check() throws(VisionError) {
        try require(for: "reading BMP/TIFF/WebP/PNM images, rotated or CMYK JPEGs and video files")
    }

    /// Where the library may be, in order: next to the executable (SwiftPM builds executables, test
    /// bundles and the dynamic library into the same .build/<config> directory; an install copies them
    /// together), next to the code of the shim when it lives in a shared object of its own, then
    /// `$PROCTOR_CVIO_PATH` (the library's path, or a directory holding it; empty means unset).
    static func candidatePaths(
        executable: String? = Bundle.main.executablePath, shimDirectory: String? = IOLibrary.shimDirectory,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        var paths: [String] = []
        func add(_ path: String) { if !path.isEmpty, !paths.contains(path) { paths.append(path) } }
        func addDirectory(_ directory: String?) { if let directory, !directory.isEmpty { add(directory + "/" + fileName) } }
        addDirectory(executable.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().deletingLastPathComponent().path })
        addDirectory(shimDirectory)
        if let configured = environment["PROCTOR_CVIO_PATH"], !configured.isEmpty {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: configured, isDirectory: &isDirectory), isDirectory.boolValue {
                addDirectory(configured)
            } else {
                add(configured)
            }
        }
        return paths
    }

    /// The directory of the code object holding the shim, when the system can say.
    static var shimDirectory: String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let found = try? shim("") { err, cap in
            buffer.withUnsafeMutableBufferPointer { pv_shim_directory($0.baseAddress, $0.count, err, cap) }
        }
        guard found != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The outcome of the one load attempt (Swift runs a global's initialiser once, thread-safely): a
    /// failure is not retried, so every later use fails fast with the same message.
    private static let loaded: Result<Void, VisionError> = {
        let paths = candidatePaths()
        var pointers = paths.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        do throws(VisionError) {
            _ = try pointers.withUnsafeMutableBufferPointer { buffer throws(VisionError) in
                try buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { constant throws(VisionError) in
                    try shim("") { pv_io_load(constant.baseAddress, Int32(constant.count), $0, $1) }
                }
            }
            return .success(())
        } catch {
            return .failure(error)
        }
    }()

    /// Loads the library if needed; else throws "<what> needs libProctorCVIO.so next to the proctor
    /// binary: <why>" (a missing library is the installation's fault, not the input's).
    static func require(for what: String) throws(VisionError) {
        if case .failure(let error) = loaded {
            throw VisionError("\(what) needs \(fileName) next to the proctor binary: \(error.message)", kind: .modelUnavailable)
        }
    }
}
