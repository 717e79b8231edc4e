#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A numeric listening address, `A.B.C.D:PORT`, `[IPv6]:PORT` or `localhost:PORT` (127.0.0.1).
/// Host names other than localhost are refused: resolving them could pick any interface.
struct MetricsEndpoint: Sendable, Hashable, CustomStringConvertible {
    enum Address: Sendable, Hashable {
        case v4(in_addr_t)
        case v6([UInt8])
    }

    var host: String
    var address: Address
    var port: UInt16

    init?(_ text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !portPart.isEmpty, portPart.allSatisfy(\.isASCII), let port = UInt16(portPart) else { return nil }
        let host = hostPart == "localhost" ? "127.0.0.1" : String(hostPart)
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            address = .v4(v4.s_addr)
        } else if inet_pton(AF_INET6, host, &v6) == 1 {
            address = .v6(withUnsafeBytes(of: v6) { Array($0) })
        } else {
            return nil
        }
        self.host = host
        self.port = port
    }

    /// 127.0.0.0/8 or ::1.
    var isLoopback: Bool {
        switch address {
        case .v4(let raw): return UInt32(bigEndian: raw) >> 24 == 127
        case .v6(let bytes): return bytes == Array(repeating: 0, count: 15) + [1]
        }
    }

    var description: String {
        if case .v6 = address { return "[\(host)]:\(port)" }
        return "\(host):\(port)"
    }
}
