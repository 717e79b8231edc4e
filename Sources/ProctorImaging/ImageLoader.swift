#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads image files defensively: every kind of bad input becomes a one-line ``VisionError``.
public struct ImageLoader: Sendable {
    /// Images with more pixels than this are refused before their pixels are decoded.
    public var maxPixels: Int
    /// Files larger than this are refused before they are read.
    public var maxFileBytes: Int
    /// False refuses a path whose last component is a symbolic link (reanalysis inside a media root).
    public var followsSymlinks: Bool

    public init(maxPixels: Int = DecoderOrder.defaultMaxPixels, maxFileBytes: Int = 256 << 20, followsSymlinks: Bool = true) {
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
        self.followsSymlinks = followsSymlinks
    }

    /// Reads and decodes the image at `path`.
    public func load(path: String) throws(VisionError) -> Image {
        try decode(try readFile(path), source: path)
    }

    /// The whole content of the file at `path`, under this loader's size and symlink rules.
    public func readFile(_ path: String) throws(VisionError) -> [UInt8] {
        try Self.readFile(path, limit: maxFileBytes, followingSymlinks: followsSymlinks)
    }

    /// Checks the header of `bytes` and decodes them; `source` (the file's path) names them in decoder warnings.
    public func decode(_ bytes: [UInt8], source: String? = nil) throws(VisionError) -> Image {
        guard !bytes.isEmpty else { throw VisionError("empty file") }
        let probe = ImageProbe.inspect(bytes)
        switch probe.format {
        case .unknown: throw VisionError("not an image (unrecognised format)")
        case .gif: throw VisionError("GIF is not supported (convert it to PNG or JPEG)")
        default: break
        }
        if probe.format == .jpeg, !probe.isComplete { throw VisionError("truncated or corrupt JPEG (no end-of-image marker)") }
        // No size, no decode: the pixel limit must hold before a single pixel is allocated.
        guard let width = probe.width, let height = probe.height else {
            throw VisionError("\(probe.format.rawValue.uppercased()) header without readable dimensions (refused before decoding)")
        }
        guard width > 0, height > 0 else { throw VisionError("invalid \(probe.format.rawValue) header (\(width)x\(height))") }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maxPixels {
            throw VisionError(
                "image too large: \(width)x\(height) exceeds the limit of \(maxPixels / 1_000_000) megapixels")
        }
        return try Image.decode(bytes, probe: probe, maxPixels: maxPixels, source: source)
    }

    /// The whole content of a regular file, or a one-line error naming what went wrong.
    ///
    /// Never blocks on open: O_NONBLOCK makes a FIFO (or a device) open at once, and the type check
    /// on the open descriptor refuses anything but a regular file before a byte is read.
    public static func readFile(_ path: String, limit: Int, followingSymlinks: Bool = true) throws(VisionError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (followingSymlinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            if errno == ELOOP, !followingSymlinks { throw VisionError("is a symbolic link (refused)") }
            throw VisionError(Self.describe(errno: errno))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw VisionError(Self.describe(errno: errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw VisionError("is a directory")
        case S_IFIFO: throw VisionError("not a regular file (a FIFO)")
        case S_IFCHR, S_IFBLK: throw VisionError("not a regular file (a device)")
        case S_IFSOCK: throw VisionError("not a regular file (a socket)")
        default: throw VisionError("not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= limit else { throw VisionError("file too large (\(size) bytes, limit \(limit))") }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return read(fd, base + filled, size - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw VisionError(Self.describe(errno: errno))
            }
            if count == 0 { break }  // the file shrank while reading
            filled += count
        }
        return filled == size ? bytes : Array(bytes.prefix(filled))
    }

    static func describe(errno code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES, EPERM: "permission denied"
        case EISDIR: "is a directory"
        default: String(cString: strerror(code))
        }
    }
}
