import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
private let socketStream = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
import Darwin
private let socketStream = SOCK_STREAM
#endif

/// A minimal HTTP/1.0 responder for Prometheus scrapes: `GET /metrics` (or `/`) answers the text
/// exposition format, anything else 404/405. One thread serves one connection at a time; each
/// connection gets 2 s to send at most 8 KiB of request head and is then closed, so a slow or
/// hostile client holds the endpoint for 2 s at most and cannot grow memory.
final class MetricsHTTPListener: Sendable {
    /// The port actually bound (differs from the requested one when that was 0).
    let port: UInt16
    private let descriptor: Int32
    private let stopping = Atomic<Bool>(false)
    private let body: @Sendable () -> String

    private static let maxRequestBytes = 8192
    private static let ioTimeoutSeconds = 2

    init(endpoint: MetricsEndpoint, body: @escaping @Sendable () -> String) throws(Failure) {
        self.body = body
        let family = if case .v6 = endpoint.address { AF_INET6 } else { AF_INET }
        let fd = socket(family, socketStream | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .configuration("metrics \(endpoint): cannot create a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var bound: Int32
        switch endpoint.address {
        case .v4(let raw):
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = endpoint.port.bigEndian
            address.sin_addr.s_addr = raw
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(let bytes):
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = endpoint.port.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: bytes) }
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        if bound != 0 || listen(fd, 8) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .configuration("metrics \(endpoint): cannot listen: \(reason)")
        }
        var actual = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let networkPort = withUnsafeBytes(of: actual) { raw -> UInt16 in
            // sin_port and sin6_port sit at the same offset, right after the family.
            raw.loadUnaligned(fromByteOffset: MemoryLayout<sa_family_t>.size, as: UInt16.self)
        }
        port = UInt16(bigEndian: networkPort)
        descriptor = fd
    }

    /// Answers scrapes until ``stopAccepting()``, then closes the socket; blocks the calling thread
    /// (the caller runs it on a queue of its own). Ends after the connection in progress (at most the I/O timeout).
    func serve() {
        defer { close(descriptor) }
        while !stopping.load(ordering: .sequentiallyConsistent) {
            let client = accept(descriptor, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            var timeout = timeval(tv_sec: Self.ioTimeoutSeconds, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            respond(to: client)
            close(client)
        }
    }

    /// Makes ``serve()`` return: a blocked accept fails at once.
    func stopAccepting() {
        guard !stopping.exchange(true, ordering: .sequentiallyConsistent) else { return }
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private func respond(to client: Int32) {
        guard let head = readHead(client) else { return }
        let requestLine = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        let parts = requestLine.split(separator: " ")
        let method = parts.first.map(String.init) ?? ""
        let target = parts.count > 1 ? String(parts[1]) : ""
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let status: String
        var text = ""
        var contentType = "text/plain; charset=utf-8"
        if method != "GET" && method != "HEAD" {
            status = "405 Method Not Allowed"
            text = "only GET\n"
        } else if path == "/metrics" || path == "/" {
            status = "200 OK"
            text = body()
            contentType = "text/plain; version=0.0.4; charset=utf-8"
        } else {
            status = "404 Not Found"
            text = "metrics are at /metrics\n"
        }
        let bytes = Array(text.utf8)
        var response = Array(
            "HTTP/1.0 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n".utf8)
        if method != "HEAD" { response += bytes }
        var offset = 0
        while offset < response.count {
            let written = response.withUnsafeBytes { send(client, $0.baseAddress.map { $0 + offset }, response.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// The request head (up to the blank line), or nil when the client is too slow, too long or gone.
    private func readHead(_ client: Int32) -> String? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while received.count < Self.maxRequestBytes {
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            received += chunk[0..<count]
            if received.count >= 4, (0...(received.count - 4)).contains(where: { Array(received[$0..<($0 + 4)]) == end }) {
                return String(decoding: received, as: UTF8.self)
            }
        }
        return nil
    }
}
