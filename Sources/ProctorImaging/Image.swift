import CVShim
import ProctorCore

/// An 8-bit BGR image held by OpenCV.
///
/// Treated as immutable once created: operations return new images, so an `Image` can be handed
/// between threads.
public final class Image: @unchecked Sendable {
    package let handle: OpaquePointer

    package init(handle: OpaquePointer) { self.handle = handle }

    deinit { pv_image_free(handle) }

    public var width: Int { Int(pv_image_width(handle)) }
    public var height: Int { Int(pv_image_height(handle)) }

    /// Decodes encoded bytes (use ``ImageLoader`` for files: it checks headers and limits first).
    public static func decode(_ bytes: [UInt8], maxPixels: Int = DecoderOrder.defaultMaxPixels) throws(VisionError) -> Image {
        try decode(bytes, probe: ImageProbe.inspect(bytes), maxPixels: maxPixels)
    }

    /// Decodes with the decoders `probe` calls for (``DecoderOrder``).
    package static func decode(
        _ bytes: [UInt8], probe: ImageProbe, maxPixels: Int = DecoderOrder.defaultMaxPixels, source: String? = nil
    ) throws(VisionError) -> Image {
        try DecoderOrder.decode(bytes, probe: probe, maxPixels: maxPixels, source: source)
    }

    /// Copies packed BGR24 pixels.
    public static func fromBGR(_ pixels: UnsafeRawBufferPointer, width: Int, height: Int, stride: Int) throws(VisionError)
        -> Image
    {
        guard pixels.count >= stride * height else { throw VisionError("BGR buffer too small") }
        var out: OpaquePointer?
        try shim("BGR frame") { err, cap in
            pv_image_from_bgr(
                pixels.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(width), Int32(height), stride, &out,
                err, cap)
        }
        return try wrap(out)
    }

    /// Converts packed YUYV 4:2:2 pixels (the common uncompressed webcam format).
    public static func fromYUYV(_ pixels: UnsafeRawBufferPointer, width: Int, height: Int, stride: Int) throws(VisionError)
        -> Image
    {
        guard pixels.count >= stride * height else { throw VisionError("YUYV buffer too small") }
        var out: OpaquePointer?
        try shim("YUYV frame") { err, cap in
            pv_image_from_yuyv(
                pixels.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(width), Int32(height), stride, &out,
                err, cap)
        }
        return try wrap(out)
    }

    /// A copy scaled to `width` x `height`.
    public func resized(width: Int, height: Int) throws(VisionError) -> Image {
        if width == self.width, height == self.height { return self }
        var out: OpaquePointer?
        try shim("resize") { pv_image_resized(handle, Int32(width), Int32(height), &out, $0, $1) }
        return try Image.wrap(out)
    }

    /// A copy scaled by `factor` (at least 1 px each way).
    public func scaled(by factor: Double) throws(VisionError) -> Image {
        try resized(
            width: max(1, Int((Double(width) * factor).rounded())), height: max(1, Int((Double(height) * factor).rounded())))
    }

    /// A copy with replicated borders.
    public func padded(top: Int, bottom: Int, left: Int, right: Int) throws(VisionError) -> Image {
        var out: OpaquePointer?
        try shim("pad") {
            pv_image_padded(handle, Int32(top), Int32(bottom), Int32(left), Int32(right), &out, $0, $1)
        }
        return try Image.wrap(out)
    }

    /// A copy of the region inside `box` (clipped to the image).
    public func cropped(to box: BoundingBox) throws(VisionError) -> Image {
        var out: OpaquePointer?
        try shim("crop") {
            pv_image_cropped(
                handle, Int32(box.x.rounded()), Int32(box.y.rounded()), Int32(box.width.rounded()),
                Int32(box.height.rounded()), &out, $0, $1)
        }
        return try Image.wrap(out)
    }

    /// The packed BGR pixels, row by row.
    public func bgrBytes() throws(VisionError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        try shim("copy pixels") { err, cap in
            bytes.withUnsafeMutableBufferPointer { pv_image_copy_bgr(handle, $0.baseAddress, $0.count, err, cap) }
        }
        return bytes
    }

    /// Brightness, contrast and sharpness measured on a copy at most `sampleSide` px on its long side.
    public func quality(sampleSide: Int = 160) throws(VisionError) -> FrameQuality {
        var stats = pv_image_stats()
        try shim("measure") { pv_image_measure(handle, Int32(sampleSide), &stats, $0, $1) }
        return FrameQuality(brightness: stats.mean_luma, contrast: stats.contrast, sharpness: stats.sharpness)
    }

    /// A tiny grayscale copy, for comparing consecutive frames (frozen-camera detection).
    public func grayThumbnail(width: Int = 16, height: Int = 12) throws(VisionError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: width * height)
        try shim("thumbnail") { err, cap in
            bytes.withUnsafeMutableBufferPointer {
                pv_image_gray_thumbnail(handle, Int32(width), Int32(height), $0.baseAddress, err, cap)
            }
        }
        return bytes
    }

    /// JPEG bytes at `quality` (1...100), 4:2:0 chroma subsampling.
    public func jpegData(quality: Int = 85) throws(VisionError) -> [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>?
        var length = 0
        try shim("JPEG encode") { pv_image_encode_jpeg(handle, Int32(quality), &buffer, &length, $0, $1) }
        guard let buffer else { throw VisionError("JPEG encode returned no data") }
        defer { pv_buffer_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: length))
    }

    /// A copy scaled down so its long side is at most `maxSide` (the image itself when already smaller).
    public func fitting(maxSide: Int) throws(VisionError) -> Image {
        let side = max(width, height)
        guard side > maxSide, maxSide > 0 else { return self }
        return try scaled(by: Double(maxSide) / Double(side))
    }

    package static func wrap(_ handle: OpaquePointer?) throws(VisionError) -> Image {
        guard let handle else { throw VisionError("OpenCV returned no image") }
        return Image(handle: handle)
    }
}
