import CV4L2

#if canImport(Glibc)
import Glibc
#endif

/// An open V4L2 device node: the descriptor plus ioctls that throw ``CaptureError``.
final class V4L2Device {
    let path: String
    private(set) var fd: Int32

    /// Opens `path` non-blocking, mapping the usual failures to one-line errors.
    init(path: String) throws(CaptureError) {
        self.path = path
        fd = cv4l2_open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw Self.openError(errno, path: path) }
    }

    deinit { close() }

    func close() {
        guard fd >= 0 else { return }
        _ = cv4l2_close(fd)
        fd = -1
    }

    /// Issues `request` (named `name` in errors) on `value`. EINTR is retried in C.
    func ioctl<Value>(_ request: UInt, _ name: String, _ value: inout Value) throws(CaptureError) {
        let status = withUnsafeMutablePointer(to: &value) { cv4l2_ioctl(fd, request, $0) }
        guard status >= 0 else { throw ioctlError(errno, name) }
    }

    /// Like ``ioctl(_:_:_:)`` but returns errno instead of throwing (for EAGAIN and EINVAL loops).
    func tryIoctl<Value>(_ request: UInt, _ value: inout Value) -> Int32 {
        let status = withUnsafeMutablePointer(to: &value) { cv4l2_ioctl(fd, request, $0) }
        return status >= 0 ? 0 : errno
    }

    /// The error for a failed ioctl: a vanished device is ``CaptureError/Kind/lost``.
    func ioctlError(_ code: Int32, _ name: String) -> CaptureError {
        switch code {
        case ENODEV, EIO, ENXIO:
            CaptureError(.lost, "camera \(path) disconnected (\(name): \(CaptureError.text(errno: code)))")
        case EBUSY: Self.busy(path)
        case EACCES, EPERM: Self.denied(path)
        default: CaptureError(.failed, "camera \(path): \(name) failed: \(CaptureError.text(errno: code))")
        }
    }

    static func openError(_ code: Int32, path: String) -> CaptureError {
        switch code {
        case ENOENT, ENODEV, ENXIO: CaptureError(.notFound, "no camera at \(path)")
        case EACCES, EPERM: denied(path)
        case EBUSY: busy(path)
        default: CaptureError(.failed, "cannot open camera \(path): \(CaptureError.text(errno: code))")
        }
    }

    static func denied(_ path: String) -> CaptureError {
        CaptureError(.permissionDenied, "permission denied opening camera \(path) (is the user in the 'video' group?)")
    }

    static func busy(_ path: String) -> CaptureError {
        CaptureError(.busy, "camera \(path) is busy (another program is using it)")
    }
}

/// A driver buffer mapped into this process.
struct MappedBuffer {
    let start: UnsafeMutableRawPointer
    let length: Int
}
