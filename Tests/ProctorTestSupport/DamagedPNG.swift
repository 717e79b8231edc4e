import Foundation

/// Valid PNGs made damaged in the ways that make libpng talk: an ancillary chunk with a bad checksum, an
/// ICC profile chunk that does not inflate, a file cut inside its image data.
public enum DamagedPNG {
    /// The PNG with a tEXt chunk whose CRC is wrong (libpng: "tEXt: CRC error"; the image still decodes).
    public static func withBadChunkCRC(_ png: [UInt8]) -> [UInt8] {
        var chunk = chunk("tEXt", Array("Comment\0exam notes".utf8))
        chunk[chunk.count - 1] ^= 0xFF
        return insertAfterHeader(png, chunk)
    }

    /// The PNG with an iCCP chunk whose profile is not a zlib stream (libpng warns; the image still decodes).
    public static func withBrokenICCProfile(_ png: [UInt8]) -> [UInt8] {
        let body = Array("ICC profile".utf8) + [0, 0] + [0x78, 0x9C] + Array(repeating: 0xA5, count: 40)
        return insertAfterHeader(png, chunk("iCCP", body))
    }

    /// The PNG cut halfway through its first IDAT chunk.
    public static func truncated(_ png: [UInt8]) -> [UInt8] {
        var offset = 8
        while offset + 8 <= png.count {
            let length = Int(png[offset]) << 24 | Int(png[offset + 1]) << 16 | Int(png[offset + 2]) << 8 | Int(png[offset + 3])
            if String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self) == "IDAT" {
                return Array(png[..<(offset + 8 + length / 2)])
            }
            offset += 12 + length
        }
        return Array(png.prefix(png.count / 2))
    }

    /// A chunk: length, type, data, CRC-32 of type and data.
    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    /// After the signature (8 bytes) and IHDR (25 bytes).
    static func insertAfterHeader(_ png: [UInt8], _ chunk: [UInt8]) -> [UInt8] {
        Array(png[..<33]) + chunk + Array(png[33...])
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
