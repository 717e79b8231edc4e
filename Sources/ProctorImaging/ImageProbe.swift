/// What an encoded image's header says, read without decoding any pixels.
///
/// Used to refuse oversized images (a header can claim 40000x40000) and truncated JPEGs before
/// OpenCV allocates or decodes anything.
public struct ImageProbe: Sendable, Hashable {
    public enum Format: String, Sendable, Hashable {
        case jpeg, png, bmp, webp, tiff, pnm, gif, unknown
    }

    public var format: Format
    /// Dimensions from the header, when the format has a simple header and it was readable.
    public var width: Int?
    public var height: Int?
    /// For JPEG: whether an end-of-image marker follows the first scan.
    public var isComplete: Bool
    /// For JPEG: the EXIF Orientation tag (1...8) when the file has one. 1 means stored upright.
    public var orientation: Int?

    public init(format: Format, width: Int? = nil, height: Int? = nil, isComplete: Bool = true, orientation: Int? = nil) {
        self.format = format
        self.width = width
        self.height = height
        self.isComplete = isComplete
        self.orientation = orientation
    }

    /// Whether TurboJPEG can decode these bytes as displayed: a JPEG stored upright. Others need
    /// OpenCV's full decoder, which applies EXIF orientation.
    var isUprightJPEG: Bool { format == .jpeg && (orientation ?? 1) == 1 }

    /// Reads the header of `bytes`.
    public static func inspect(_ bytes: [UInt8]) -> ImageProbe {
        let reader = ByteReader(bytes)
        if bytes.starts(with: [0xFF, 0xD8]) { return inspectJPEG(reader) }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return ImageProbe(format: .png, width: reader.bigEndian32(at: 16), height: reader.bigEndian32(at: 20))
        }
        if bytes.starts(with: Array("BM".utf8)) {
            let height = reader.littleEndian32(at: 22).map { Int(Int32(truncatingIfNeeded: $0).magnitude) }
            return ImageProbe(format: .bmp, width: reader.littleEndian32(at: 18), height: height)
        }
        if bytes.starts(with: Array("GIF8".utf8)) {
            return ImageProbe(format: .gif, width: reader.littleEndian16(at: 6), height: reader.littleEndian16(at: 8))
        }
        if bytes.starts(with: Array("RIFF".utf8)), bytes.count > 12, Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return inspectWebP(reader)
        }
        if bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            return inspectTIFF(reader, littleEndian: bytes[0] == 0x49)
        }
        if bytes.count > 2, bytes[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "6")).contains(bytes[1]) {
            return inspectPNM(bytes)
        }
        return ImageProbe(format: .unknown)
    }

    private static func inspectJPEG(_ reader: ByteReader) -> ImageProbe {
        var offset = 2
        var width: Int?
        var height: Int?
        var orientation: Int?
        let bytes = reader.bytes
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else {
                return ImageProbe(format: .jpeg, width: width, height: height, isComplete: false, orientation: orientation)
            }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { offset += 2; continue }
            guard let length = reader.bigEndian16(at: offset + 2), length >= 2 else { break }
            // Start-of-frame markers carry the dimensions (not DHT C4, JPG C8, DAC CC).
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                height = reader.bigEndian16(at: offset + 5)
                width = reader.bigEndian16(at: offset + 7)
            }
            // APP1: the first EXIF segment's orientation counts, as in OpenCV's decoder.
            if marker == 0xE1, orientation == nil {
                orientation = reader.exifOrientation(in: (offset + 4)..<min(offset + 2 + length, bytes.count))
            }
            if marker == 0xDA {
                // Inside entropy-coded data 0xFF is always stuffed or a restart marker, so an FFD9 after
                // the first scan header is the real end of image.
                let scanStart = offset + 2 + length
                let complete = reader.containsEndOfImage(after: scanStart)
                return ImageProbe(format: .jpeg, width: width, height: height, isComplete: complete, orientation: orientation)
            }
            offset += 2 + length
        }
        return ImageProbe(format: .jpeg, width: width, height: height, isComplete: false, orientation: orientation)
    }

    /// The first image directory's ImageWidth (256) and ImageLength (257), SHORT or LONG: the page
    /// OpenCV decodes. A compressed TIFF gives no hint of its decoded size otherwise (a 250 KB deflate
    /// file can hold 256 megapixels). BigTIFF (43) does not match the signature and stays unknown.
    private static func inspectTIFF(_ reader: ByteReader, littleEndian: Bool) -> ImageProbe {
        func u16(_ offset: Int) -> Int? { littleEndian ? reader.littleEndian16(at: offset) : reader.bigEndian16(at: offset) }
        func u32(_ offset: Int) -> Int? { littleEndian ? reader.littleEndian32(at: offset) : reader.bigEndian32(at: offset) }
        guard let directory = u32(4), let count = u16(directory) else { return ImageProbe(format: .tiff) }
        var width: Int?
        var height: Int?
        for index in 0..<count {
            let entry = directory + 2 + 12 * index
            guard let tag = u16(entry), let type = u16(entry + 2) else { break }
            guard tag == 256 || tag == 257 else { continue }
            let value: Int? =
                switch type {
                case 3: u16(entry + 8)
                case 4: u32(entry + 8)
                default: nil
                }
            if tag == 256 { width = value } else { height = value }
            if width != nil, height != nil { break }
        }
        return ImageProbe(format: .tiff, width: width, height: height)
    }

    private static func inspectWebP(_ reader: ByteReader) -> ImageProbe {
        let bytes = reader.bytes
        guard bytes.count >= 30 else { return ImageProbe(format: .webp) }
        let chunk = String(decoding: bytes[12..<16], as: UTF8.self)
        switch chunk {
        case "VP8 ":
            let w = (reader.littleEndian16(at: 26) ?? 0) & 0x3FFF
            let h = (reader.littleEndian16(at: 28) ?? 0) & 0x3FFF
            return ImageProbe(format: .webp, width: w, height: h)
        case "VP8L":
            let b = bytes[21...24].map(Int.init)
            let w = 1 + (b[0] | ((b[1] & 0x3F) << 8))
            let h = 1 + ((b[1] >> 6) | (b[2] << 2) | ((b[3] & 0x0F) << 10))
            return ImageProbe(format: .webp, width: w, height: h)
        case "VP8X":
            let w = 1 + (Int(bytes[24]) | Int(bytes[25]) << 8 | Int(bytes[26]) << 16)
            let h = 1 + (Int(bytes[27]) | Int(bytes[28]) << 8 | Int(bytes[29]) << 16)
            return ImageProbe(format: .webp, width: w, height: h)
        default:
            return ImageProbe(format: .webp)
        }
    }

    private static func inspectPNM(_ bytes: [UInt8]) -> ImageProbe {
        // "P6 <w> <h> ..." with comments starting at '#'.
        var numbers: [Int] = []
        var index = 2
        var current: Int?
        while index < min(bytes.count, 1024), numbers.count < 2 {
            let byte = bytes[index]
            if byte == UInt8(ascii: "#") {
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                current = (current ?? 0).multipliedReportingOverflow(by: 10).partialValue + Int(byte - UInt8(ascii: "0"))
            } else if let value = current {
                numbers.append(value)
                current = nil
            }
            index += 1
        }
        return ImageProbe(format: .pnm, width: numbers.first, height: numbers.count > 1 ? numbers[1] : nil)
    }
}

/// Bounds-checked integer reads from a byte array.
struct ByteReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func bigEndian16(at offset: Int) -> Int? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
    }

    func littleEndian16(at offset: Int) -> Int? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
    }

    func bigEndian32(at offset: Int) -> Int? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return (0..<4).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }

    func littleEndian32(at offset: Int) -> Int? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return (0..<4).reversed().reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }

    func containsEndOfImage(after start: Int) -> Bool {
        guard start < bytes.count - 1 else { return false }
        var index = bytes.count - 2
        while index >= start {
            if bytes[index] == 0xFF, bytes[index + 1] == 0xD9 { return true }
            index -= 1
        }
        return false
    }
}
