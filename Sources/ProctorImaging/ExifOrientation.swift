/// Reading the EXIF Orientation tag from a JPEG's APP1 segment.
///
/// JPEGs with an orientation other than 1 must be rotated on decoding, which TurboJPEG does not do;
/// ``Image/decode(_:)`` sends them to OpenCV's full decoder instead.
extension ByteReader {
    /// The Orientation (tag 0x0112 in IFD0) of the APP1 payload at `segment` (after the length
    /// field), when it is an EXIF segment and holds a valid value 1...8.
    func exifOrientation(in segment: Range<Int>) -> Int? {
        // "Exif\0\0", then a TIFF header: byte order ("II" little / "MM" big endian), 42, IFD0 offset.
        let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]
        guard segment.lowerBound >= 0, segment.upperBound <= bytes.count, segment.count >= exifHeader.count + 8,
            bytes[segment.lowerBound..<segment.lowerBound + exifHeader.count].elementsEqual(exifHeader)
        else { return nil }
        let tiff = segment.lowerBound + exifHeader.count
        let littleEndian: Bool
        switch (bytes[tiff], bytes[tiff + 1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        // Reads confined to the segment: offsets inside EXIF are attacker-controlled.
        func read16(_ offset: Int) -> Int? {
            guard offset >= segment.lowerBound, offset + 2 <= segment.upperBound else { return nil }
            return littleEndian ? littleEndian16(at: offset) : bigEndian16(at: offset)
        }
        func read32(_ offset: Int) -> Int? {
            guard offset >= segment.lowerBound, offset + 4 <= segment.upperBound else { return nil }
            return littleEndian ? littleEndian32(at: offset) : bigEndian32(at: offset)
        }
        guard read16(tiff + 2) == 42, let ifdOffset = read32(tiff + 4) else { return nil }
        let ifd = tiff + ifdOffset
        guard let count = read16(ifd) else { return nil }
        for index in 0..<count {
            let entry = ifd + 2 + 12 * index
            guard let tag = read16(entry) else { return nil }
            guard tag == 0x0112 else { continue }
            // Type SHORT (3), one value, stored in the first two bytes of the value field.
            guard read16(entry + 2) == 3, let value = read16(entry + 8), (1...8).contains(value) else { return nil }
            return value
        }
        return nil
    }
}
