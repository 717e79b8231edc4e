import CVShim

extension Image {
    /// Ancillary PNG chunks (ICC profiles, compressed text) that would inflate beyond this are refused:
    /// a few kilobytes in the file can otherwise claim gigabytes.
    static let pngChunkLimit = 8 << 20
    /// Room for libpng's warnings about one image; more are counted, not kept.
    private static let pngWarningCapacity = 2048

    /// Decodes a PNG through libpng directly (not OpenCV's imgcodecs, which lets libpng print to stderr),
    /// never larger than the header's `width` x `height` that the caller already checked. libpng's
    /// warnings go to ``DecoderWarnings``, also when the image is refused.
    static func decodePNG(_ bytes: [UInt8], width: Int, height: Int, source: String?) throws(VisionError) -> Image {
        var out: OpaquePointer?
        var warnings = [CChar](repeating: 0, count: pngWarningCapacity)
        var dropped: Int32 = 0
        let maxWidth = UInt32(clamping: width)
        let maxHeight = UInt32(clamping: height)
        defer { reportPNGWarnings(warnings, dropped: Int(dropped), source: source) }
        try shim("decode") { err, cap in
            bytes.withUnsafeBufferPointer { data in
                warnings.withUnsafeMutableBufferPointer { text in
                    pv_image_decode_png(
                        data.baseAddress, data.count, maxWidth, maxHeight, pngChunkLimit, &out, text.baseAddress,
                        text.count, &dropped, err, cap)
                }
            }
        }
        return try wrap(out)
    }

    private static func reportPNGWarnings(_ buffer: [CChar], dropped: Int, source: String?) {
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var lines = text.split(separator: "\n").map(String.init)
        if dropped > 0 { lines.append("\(dropped) more warnings not kept") }
        for line in lines {
            DecoderWarnings.report(DecoderWarning(library: "libpng", message: line, source: source))
        }
    }
}
