import CVShim

/// Which decoder reads which bytes, in which order, and the pixel cap both obey.
///
/// TurboJPEG first for upright JPEGs (camera frames, most photos): it runs in-process and keeps
/// OpenCV's imgcodecs and its ~45 MB of dependencies out of the process. imgcodecs (libProctorCVIO.so,
/// loaded on first need) for every other format and for rotated JPEGs, since it applies EXIF
/// orientation; and second, for the JPEGs TurboJPEG cannot read (CMYK/YCCK). PNG is read by libpng directly,
/// so that its warnings become log records instead of raw stderr text.
public enum DecoderOrder {
    /// The default cap on decoded pixels (``ImageLoader/maxPixels`` may lower or raise it).
    public static let defaultMaxPixels = 64_000_000

    static func decode(_ bytes: [UInt8], probe: ImageProbe, maxPixels: Int, source: String?) throws(VisionError) -> Image {
        // A header the probe could read is checked before any decoder allocates a pixel; TurboJPEG
        // checks its own reading of the header against the same cap.
        if let width = probe.width, let height = probe.height {
            let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
            if overflow || pixels > maxPixels {
                throw VisionError("image too large: \(width)x\(height) exceeds the limit of \(maxPixels / 1_000_000) megapixels")
            }
        }
        // PNG through libpng directly, so that its messages are caught (PNGDecoding.swift).
        if probe.format == .png, let width = probe.width, let height = probe.height {
            return try Image.decodePNG(bytes, width: width, height: height, source: source)
        }
        guard probe.isUprightJPEG else {
            try IOLibrary.require(for: "decoding BMP/TIFF/WebP/PNM and rotated or CMYK JPEG")
            return try imgcodecs(bytes)
        }
        let why: String
        switch try turboJPEG(bytes, maxPixels: maxPixels) {
        case .decoded(let image): return image
        case .unreadable(let reason): why = reason
        }
        // CMYK/YCCK and other JPEGs TurboJPEG refuses: imgcodecs reads some of them (CMYK).
        do throws(VisionError) {
            try IOLibrary.require(for: "the fallback JPEG decoder")
        } catch {
            throw VisionError("decode: \(why); \(error.message)", kind: error.kind)
        }
        if let image = try? imgcodecs(bytes) { return image }
        // Neither could read it: TurboJPEG's reason is the more specific one.
        throw VisionError("decode: not a decodable JPEG (\(why))")
    }

    private enum TurboJPEGOutcome {
        case decoded(Image)
        /// TurboJPEG cannot read these bytes (another decoder may), and what it said.
        case unreadable(String)
    }

    private static func turboJPEG(_ bytes: [UInt8], maxPixels: Int) throws(VisionError) -> TurboJPEGOutcome {
        var out: OpaquePointer?
        var unreadable: String?
        try shim("decode") { err, cap in
            let status = bytes.withUnsafeBufferPointer {
                pv_image_decode_jpeg($0.baseAddress, $0.count, Double(maxPixels), &out, err, cap)
            }
            guard status == PV_JPEG_UNREADABLE else { return status }
            unreadable = String(cString: err)
            return 0
        }
        if let unreadable { return .unreadable(unreadable) }
        return .decoded(try Image.wrap(out))
    }

    private static func imgcodecs(_ bytes: [UInt8]) throws(VisionError) -> Image {
        var out: OpaquePointer?
        try shim("decode") { err, cap in
            bytes.withUnsafeBufferPointer { pv_image_decode($0.baseAddress, $0.count, &out, err, cap) }
        }
        return try Image.wrap(out)
    }
}
