import Foundation
import ProctorImaging

/// A directory of still images replayed as a video: one frame per image in name order
/// (numbers compared by value, so frame2 precedes frame10), spaced 1/fps apart in media time.
public final class ImageDirectorySource: FrameSource {
    public let directory: String
    public let framesPerSecond: Double
    public let loader: ImageLoader
    /// The files found at open, in replay order.
    public private(set) var files: [String] = []

    static let extensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp", "pgm", "ppm", "pnm"]

    private var index = -1

    public init(directory: String, fps: Double = 2, loader: ImageLoader = ImageLoader()) {
        self.directory = directory
        framesPerSecond = fps
        self.loader = loader
    }

    public var isLive: Bool { false }

    public var description: String { "image directory \(directory)" }

    public func open() throws(CaptureError) {
        guard framesPerSecond > 0, framesPerSecond.isFinite else {
            throw CaptureError(.invalidArgument, "invalid image sequence rate \(framesPerSecond) fps")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw CaptureError(.notFound, "no such directory: \(directory)")
        }
        guard isDirectory.boolValue else { throw CaptureError(.invalidArgument, "not a directory: \(directory)") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw CaptureError(.permissionDenied, "cannot list \(directory) (permission denied?)")
        }
        // Regular files only: a FIFO or device named like an image would block or never end.
        files = names.filter {
            !$0.hasPrefix(".") && Self.extensions.contains(($0 as NSString).pathExtension.lowercased())
                && Self.isRegularFile((directory as NSString).appendingPathComponent($0))
        }
            .sorted { lhs, rhs in
                switch lhs.compare(rhs, options: .numeric) {
                case .orderedAscending: true
                case .orderedDescending: false
                case .orderedSame: lhs < rhs
                }
            }
        guard !files.isEmpty else { throw CaptureError(.notFound, "no images in \(directory)") }
        index = -1
    }

    public func grab(until stopped: () -> Bool) throws(CaptureError) -> Double? {
        guard !stopped(), index + 1 < files.count else { return nil }
        index += 1
        return Double(index) / framesPerSecond
    }

    public func retrieve() throws(CaptureError) -> Image {
        guard files.indices.contains(index) else { throw CaptureError(.failed, "\(description): no frame grabbed") }
        let name = files[index]
        do {
            return try loader.load(path: (directory as NSString).appendingPathComponent(name))
        } catch {
            throw CaptureError(.corruptFrame, "\(name): \(error.message)")
        }
    }

    public func close() { index = -1 }

    /// stat(2), following a symlink to an image elsewhere; never opens the file.
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
