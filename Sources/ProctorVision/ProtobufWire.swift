/// Just enough of the protobuf wire format to edit a message field by field: split a message into its
/// fields (each kept as its exact bytes) and encode length-delimited ones. Untouched fields are copied
/// byte for byte, so an edit changes nothing else.
enum ProtobufWire {
    struct Field {
        let number: Int
        let wireType: Int
        /// The whole field: key and value.
        let encoded: ArraySlice<UInt8>
        /// A length-delimited field's payload (a string, bytes or a nested message); nil for other types.
        let payload: ArraySlice<UInt8>?
    }

    /// The fields of `message` in order, or nil when it is not well formed.
    static func fields(of message: ArraySlice<UInt8>) -> [Field]? {
        var fields: [Field] = []
        var index = message.startIndex
        while index < message.endIndex {
            let start = index
            guard let key = varint(in: message, at: &index), key >> 3 > 0 else { return nil }
            let wireType = Int(key & 7)
            var payload: ArraySlice<UInt8>?
            switch wireType {
            case 0:
                guard varint(in: message, at: &index) != nil else { return nil }
            case 1, 5:
                let width = wireType == 1 ? 8 : 4
                guard message.endIndex - index >= width else { return nil }
                index += width
            case 2:
                guard let length = varint(in: message, at: &index), length <= UInt64(message.endIndex - index) else { return nil }
                payload = message[index..<index + Int(length)]
                index += Int(length)
            default:
                return nil  // groups (3, 4) are not used by ONNX
            }
            fields.append(Field(number: Int(key >> 3), wireType: wireType, encoded: message[start..<index], payload: payload))
        }
        return fields
    }

    /// A length-delimited field.
    static func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        encodeVarint(UInt64(number) << 3 | 2) + encodeVarint(UInt64(payload.count)) + payload
    }

    /// A varint field (wire type 0).
    static func field(_ number: Int, varint value: Int64) -> [UInt8] {
        encodeVarint(UInt64(number) << 3) + encodeVarint(UInt64(bitPattern: value))
    }

    static func string(_ payload: ArraySlice<UInt8>?) -> String? {
        payload.map { String(decoding: $0, as: UTF8.self) }
    }

    private static func varint(in bytes: ArraySlice<UInt8>, at index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    static func encodeVarint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }
}
