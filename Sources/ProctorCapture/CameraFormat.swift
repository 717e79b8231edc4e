import CV4L2

/// The pixel formats the capture layer converts, in order of preference.
public enum CameraPixelFormat: String, Sendable, Hashable, CaseIterable {
    /// Compressed: the most frames per USB bandwidth, decoded with OpenCV.
    case mjpeg = "MJPEG"
    /// Uncompressed 4:2:2: every webcam has it, but high sizes come at low rates.
    case yuyv = "YUYV"

    /// The format for a V4L2 fourcc (JPEG is MJPEG under another name in older drivers).
    init?(fourcc: UInt32) {
        switch fourcc {
        case CV4L2_PIX_FMT_MJPEG, CV4L2_PIX_FMT_JPEG: self = .mjpeg
        case CV4L2_PIX_FMT_YUYV: self = .yuyv
        default: return nil
        }
    }

    var fourcc: UInt32 {
        switch self {
        case .mjpeg: CV4L2_PIX_FMT_MJPEG
        case .yuyv: CV4L2_PIX_FMT_YUYV
        }
    }

    /// The preferred format among the fourccs a device offers.
    static func preferred(among offered: [UInt32]) -> CameraPixelFormat? {
        let formats = Set(offered.compactMap(CameraPixelFormat.init(fourcc:)))
        return allCases.first { formats.contains($0) }
    }

    /// "YUYV", "H264"...: a fourcc as its four characters, for messages.
    static func name(of fourcc: UInt32) -> String {
        let bytes = (0..<4).map { UInt8((fourcc >> (8 * $0)) & 0xff) }
        return String(decoding: bytes, as: UTF8.self).trimmingSuffixSpaces
    }
}

/// What the driver granted after negotiation.
public struct CameraFormat: Sendable, Hashable, CustomStringConvertible {
    public var pixelFormat: CameraPixelFormat
    public var width: Int
    public var height: Int
    /// Bytes per row of an uncompressed frame.
    public var bytesPerLine: Int
    /// The frame rate the driver granted (nil when it does not say).
    public var frameRate: Double?

    public var description: String {
        let rate = frameRate.map { " @ \(($0 * 100).rounded() / 100) fps" } ?? ""
        return "\(pixelFormat.rawValue) \(width)x\(height)\(rate)"
    }
}

extension String {
    fileprivate var trimmingSuffixSpaces: String {
        var copy = self
        while copy.last == " " || copy.last == "\0" { copy.removeLast() }
        return copy
    }
}
