import CV4L2
import ProctorImaging

#if canImport(Glibc)
import Glibc
#endif

/// A V4L2 camera read through libv4l2 with mmap streaming.
///
/// Opening negotiates MJPEG (else YUYV) at the requested size, asks for the requested frame rate
/// and records what the driver granted in ``format``.
public final class V4L2Camera: FrameSource {
    /// The device node, e.g. /dev/video0.
    public let path: String
    /// The size asked of the driver, which may grant the nearest size it supports.
    public let requestedWidth: Int
    public let requestedHeight: Int
    /// The frame rate asked of the driver; nil keeps the driver's default.
    public let requestedFrameRate: Double?
    /// With no frame for this long, ``grab(until:)`` reports the camera as stalled.
    public let stallTimeout: Double
    /// The clock the driver stamps buffers with, and stall timeouts are measured on.
    public let clock: any CaptureClock
    /// The negotiated format while open.
    public private(set) var format: CameraFormat?
    /// The driver's name for the camera (QUERYCAP's card), once opened.
    public private(set) var cardName: String?
    /// Frames dropped because the driver flagged them as damaged or they failed to decode.
    public private(set) var damagedFrames = 0

    /// Enough buffers to keep capturing while one is being converted, few enough to stay fresh.
    static let bufferCount: UInt32 = 4
    /// How long one poll waits before checking whether the caller wants to stop.
    static let pollSlice = 0.1

    private var device: V4L2Device?
    /// Every pixel format the driver offered (fourcc names), once opened.
    public private(set) var offeredFormats: [String] = []
    private var buffers: [MappedBuffer] = []
    /// The buffer the last grab dequeued; queued back at the next grab.
    private var held: v4l2_buffer?

    public init(
        path: String = "/dev/video0", width: Int = 640, height: Int = 480, fps: Double? = nil,
        stallTimeout: Double = 2, clock: any CaptureClock = MonotonicCaptureClock()
    ) {
        self.path = path
        requestedWidth = width
        requestedHeight = height
        requestedFrameRate = fps
        self.stallTimeout = stallTimeout
        self.clock = clock
    }

    deinit { close() }

    public var isLive: Bool { true }

    public var description: String {
        let name = cardName.map { " (\($0))" } ?? ""
        return "camera \(path)\(name)" + (format.map { ", \($0)" } ?? "")
    }

    public func open() throws(CaptureError) {
        close()
        guard requestedWidth > 0, requestedHeight > 0 else {
            throw CaptureError(.invalidArgument, "invalid camera size \(requestedWidth)x\(requestedHeight)")
        }
        guard stallTimeout > 0 else { throw CaptureError(.invalidArgument, "invalid stall timeout \(stallTimeout) s") }
        if let fps = requestedFrameRate, !(fps > 0 && fps.isFinite) {
            throw CaptureError(.invalidArgument, "invalid camera frame rate \(fps)")
        }
        let device = try V4L2Device(path: path)
        self.device = device
        do {
            try checkCapabilities(device)
            offeredFormats = try offeredFourccs(device).map(CameraPixelFormat.name(of:))
            var negotiated = try negotiateFormat(device)
            negotiated.frameRate = try negotiateFrameRate(device)
            format = negotiated
            try startStreaming(device)
        } catch {
            close()
            throw error
        }
    }

    public func close() {
        if let device {
            var type = UInt32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
            _ = device.tryIoctl(CV4L2_VIDIOC_STREAMOFF, &type)
            for buffer in buffers { _ = cv4l2_munmap(buffer.start, buffer.length) }
            // Frees the driver's buffers now rather than at close; failure changes nothing.
            var request = v4l2_requestbuffers()
            request.type = type
            request.memory = UInt32(V4L2_MEMORY_MMAP.rawValue)
            _ = device.tryIoctl(CV4L2_VIDIOC_REQBUFS, &request)
            device.close()
        }
        device = nil
        buffers = []
        held = nil
        format = nil
    }

    public func grab(until stopped: () -> Bool) throws(CaptureError) -> Double? {
        guard let device else { throw CaptureError(.failed, "camera \(path) is not open") }
        if var buffer = held {
            held = nil
            try device.ioctl(CV4L2_VIDIOC_QBUF, "VIDIOC_QBUF", &buffer)
        }
        let deadline = clock.now() + stallTimeout
        while !stopped() {
            let remaining = deadline - clock.now()
            guard remaining > 0 else {
                throw CaptureError(.stalled, "camera \(path) sent no frame for \(formatSeconds(stallTimeout)) s")
            }
            let ready = cv4l2_poll(device.fd, Int32((min(remaining, Self.pollSlice) * 1000).rounded(.up)))
            if ready < 0 { throw device.ioctlError(errno, "poll") }
            if ready == 0 { continue }
            var buffer = v4l2_buffer()
            buffer.type = UInt32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
            buffer.memory = UInt32(V4L2_MEMORY_MMAP.rawValue)
            let code = device.tryIoctl(CV4L2_VIDIOC_DQBUF, &buffer)
            if code == EAGAIN {
                // POLLERR without a buffer: the driver stopped streaming under us.
                if Int16(truncatingIfNeeded: ready) & Int16(POLLERR) != 0 {
                    throw CaptureError(.lost, "camera \(path) stopped streaming")
                }
                continue
            }
            if code != 0 {
                // Mid-stream, any failure leaves the stream unusable: reopening is the cure.
                let error = device.ioctlError(code, "VIDIOC_DQBUF")
                throw error.kind == .lost ? error : CaptureError(.lost, error.message)
            }
            guard Int(buffer.index) < buffers.count else {
                throw CaptureError(.lost, "camera \(path) returned an unknown buffer \(buffer.index)")
            }
            if buffer.flags & UInt32(V4L2_BUF_FLAG_ERROR) != 0 || buffer.bytesused == 0 {
                damagedFrames += 1
                try device.ioctl(CV4L2_VIDIOC_QBUF, "VIDIOC_QBUF", &buffer)
                continue
            }
            held = buffer
            return timestamp(of: buffer)
        }
        return nil
    }

    public func retrieve() throws(CaptureError) -> Image {
        guard let buffer = held, let format else {
            throw CaptureError(.failed, "camera \(path): no frame grabbed")
        }
        let mapped = buffers[Int(buffer.index)]
        let bytes = UnsafeRawBufferPointer(start: mapped.start, count: min(Int(buffer.bytesused), mapped.length))
        do {
            switch format.pixelFormat {
            case .mjpeg:
                return try Image.decode(Array(bytes))
            case .yuyv:
                return try Image.fromYUYV(
                    bytes, width: format.width, height: format.height, stride: format.bytesPerLine)
            }
        } catch {
            damagedFrames += 1
            throw CaptureError(.corruptFrame, "camera \(path): damaged \(format.pixelFormat.rawValue) frame (\(error))")
        }
    }

    // MARK: - Opening

    private func checkCapabilities(_ device: V4L2Device) throws(CaptureError) {
        var capability = v4l2_capability()
        let code = device.tryIoctl(CV4L2_VIDIOC_QUERYCAP, &capability)
        if code == ENOTTY { throw CaptureError(.unsupported, "\(path) is not a V4L2 device") }
        if code != 0 { throw device.ioctlError(code, "VIDIOC_QUERYCAP") }
        let caps =
            capability.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0
            ? capability.device_caps : capability.capabilities
        cardName = withUnsafeBytes(of: capability.card) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        guard caps & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0 else {
            throw CaptureError(.unsupported, "\(path) is not a video capture device")
        }
        guard caps & UInt32(V4L2_CAP_STREAMING) != 0 else {
            throw CaptureError(.unsupported, "camera \(path) does not support streaming I/O")
        }
    }

    func offeredFourccs(_ device: V4L2Device) throws(CaptureError) -> [UInt32] {
        var offered: [UInt32] = []
        for index in 0..<UInt32(64) {
            var description = v4l2_fmtdesc()
            description.index = index
            description.type = UInt32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
            let code = device.tryIoctl(CV4L2_VIDIOC_ENUM_FMT, &description)
            if code == EINVAL { break }  // the end of the list
            if code != 0 { throw device.ioctlError(code, "VIDIOC_ENUM_FMT") }
            offered.append(description.pixelformat)
        }
        return offered
    }

    private func negotiateFormat(_ device: V4L2Device) throws(CaptureError) -> CameraFormat {
        let offered = try offeredFourccs(device)
        guard let wanted = CameraPixelFormat.preferred(among: offered) else {
            let names = offered.map(CameraPixelFormat.name(of:)).joined(separator: ", ")
            throw CaptureError(
                .unsupported, "camera \(path) offers no MJPEG or YUYV (offers: \(names.isEmpty ? "nothing" : names))")
        }
        var request = v4l2_format()
        request.type = UInt32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        request.fmt.pix.width = UInt32(clamping: requestedWidth)
        request.fmt.pix.height = UInt32(clamping: requestedHeight)
        request.fmt.pix.pixelformat = wanted.fourcc
        request.fmt.pix.field = UInt32(V4L2_FIELD_ANY.rawValue)
        try device.ioctl(CV4L2_VIDIOC_S_FMT, "VIDIOC_S_FMT", &request)
        let pix = request.fmt.pix
        // Drivers may substitute a format or size: use what they granted if we can convert it.
        guard let granted = CameraPixelFormat(fourcc: pix.pixelformat), pix.width > 0, pix.height > 0 else {
            throw CaptureError(
                .unsupported,
                "camera \(path) switched to \(CameraPixelFormat.name(of: pix.pixelformat)) \(pix.width)x\(pix.height)")
        }
        let packed = Int(pix.width) * 2
        return CameraFormat(
            pixelFormat: granted, width: Int(pix.width), height: Int(pix.height),
            bytesPerLine: granted == .yuyv ? max(packed, Int(pix.bytesperline)) : 0, frameRate: nil)
    }

    /// Asks for the requested rate with VIDIOC_S_PARM and returns the rate granted.
    private func negotiateFrameRate(_ device: V4L2Device) throws(CaptureError) -> Double? {
        var parameters = v4l2_streamparm()
        parameters.type = UInt32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        guard device.tryIoctl(CV4L2_VIDIOC_G_PARM, &parameters) == 0 else { return nil }
        if let fps = requestedFrameRate,
            parameters.parm.capture.capability & UInt32(V4L2_CAP_TIMEPERFRAME) != 0
        {
            // 1/fps as a fraction with a denominator fine enough for 29.97.
            parameters.parm.capture.timeperframe = v4l2_fract(numerator: 1000, denominator: UInt32((fps * 1000).rounded()))
            let code = device.tryIoctl(CV4L2_VIDIOC_S_PARM, &parameters)
            if code != 0, code != EINVAL { throw device.ioctlError(code, "VIDIOC_S_PARM") }
        }
        let interval = parameters.parm.capture.timeperframe
        guard interval.numerator > 0, interval.denominator > 0 else { return nil }
        return Double(interval.denominator) / Double(interval.numerator)
    }

    private func startStreaming(_ device: V4L2Device) throws(CaptureError) {
        var request = v4l2_requestbuffers()
        request.count = Self.bufferCount
        request.type = UInt32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        request.memory = UInt32(V4L2_MEMORY_MMAP.rawValue)
        try device.ioctl(CV4L2_VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &request)
        guard request.count >= 2 else {
            throw CaptureError(.failed, "camera \(path) granted only \(request.count) buffer(s)")
        }
        for index in 0..<request.count {
            var buffer = v4l2_buffer()
            buffer.index = index
            buffer.type = request.type
            buffer.memory = request.memory
            try device.ioctl(CV4L2_VIDIOC_QUERYBUF, "VIDIOC_QUERYBUF", &buffer)
            guard let start = cv4l2_mmap(device.fd, Int(buffer.length), Int64(buffer.m.offset)) else {
                throw device.ioctlError(errno, "mmap")
            }
            buffers.append(MappedBuffer(start: start, length: Int(buffer.length)))
            try device.ioctl(CV4L2_VIDIOC_QBUF, "VIDIOC_QBUF", &buffer)
        }
        var type = Int32(request.type)
        try device.ioctl(CV4L2_VIDIOC_STREAMON, "VIDIOC_STREAMON", &type)
    }

    // MARK: - Frames

    /// The capture time on CLOCK_MONOTONIC: the driver's stamp when it uses that clock and looks sane.
    private func timestamp(of buffer: v4l2_buffer) -> Double {
        let now = clock.now()
        guard buffer.flags & UInt32(V4L2_BUF_FLAG_TIMESTAMP_MASK) == UInt32(V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC) else {
            return now
        }
        let stamp = Double(buffer.timestamp.tv_sec) + Double(buffer.timestamp.tv_usec) / 1e6
        return stamp > 0 && abs(now - stamp) < 5 ? stamp : now
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String((seconds * 100).rounded() / 100)
}
