import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A request as the test server read it.
public struct TestHTTPRequest: Sendable {
    public var method: String
    /// The path without the query string.
    public var path: String
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: Data
}

/// What the test server does with a request.
public enum TestHTTPReply: Sendable {
    /// Answers after waiting `delay` seconds (a slow server).
    case respond(status: Int, json: String, delay: Double = 0)
    /// Closes the connection without answering (a crashed worker, a dropped link).
    case drop
    /// Answers with any status, headers and body (redirects, `Retry-After`, a proxy's HTML page).
    case raw(status: Int, headers: [String: String], body: String, delay: Double = 0)
}

/// A small HTTP/1.1 server on 127.0.0.1 for tests: POSIX sockets, an accept thread and a thread
/// per connection, Content-Length bodies, one request per connection (`Connection: close`).
///
/// ``stop()`` closes the listening socket, so clients get "connection refused" until
/// ``start()`` binds the same port again: a real outage, not a simulated one.
public final class TestHTTPServer: @unchecked Sendable {
    // `lock` guards `listener` and `running`; the handler is immutable.
    public private(set) var port: UInt16 = 0
    private let handler: @Sendable (TestHTTPRequest) -> TestHTTPReply
    private let lock = NSLock()
    private var listener: Int32 = -1
    private var running = false

    public init(handler: @escaping @Sendable (TestHTTPRequest) -> TestHTTPReply) throws {
        self.handler = handler
        try start()
    }

    deinit { stop() }

    public var baseURL: URL {
        URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
    }

    /// Listens (again) on the same port, or on a free one the first time.
    public func start() throws {
        lock.lock()
        defer { lock.unlock() }
        guard !running else { return }
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestHTTPServerError("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(socketFD, 128) == 0 else {
            let message = String(cString: strerror(errno))
            close(socketFD)
            throw TestHTTPServerError("bind/listen on port \(port): \(message)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        port = UInt16(bigEndian: actual.sin_port)
        listener = socketFD
        running = true
        let thread = Thread { [self] in acceptLoop(socketFD) }
        thread.name = "test-http-accept"
        thread.start()
    }

    /// Stops listening; connections in progress finish on their own threads.
    public func stop() {
        lock.lock()
        let socketFD = listener
        listener = -1
        running = false
        lock.unlock()
        guard socketFD >= 0 else { return }
        // shutdown wakes the blocked accept(); close alone would not on Linux.
        shutdown(socketFD, Int32(SHUT_RDWR))
        close(socketFD)
    }

    private func acceptLoop(_ socketFD: Int32) {
        while true {
            let connection = accept(socketFD, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(connection) }
            thread.name = "test-http-connection"
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = readRequest(connection) else { return }
        switch handler(request) {
        case .drop:
            // RST instead of FIN, so the client sees the connection die rather than an empty reply.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case .respond(let status, let json, let delay):
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            let body = Data(json.utf8)
            let head =
                "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            sendAll(connection, Data(head.utf8) + body)
        case .raw(let status, let headers, let text, let delay):
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            let body = Data(text.utf8)
            var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            sendAll(connection, Data(head.utf8) + body)
        }
    }

    private func readRequest(_ connection: Int32) -> TestHTTPRequest? {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let separator = Data("\r\n\r\n".utf8)
        var headerEnd: Range<Data.Index>?
        while headerEnd == nil {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<count])
            headerEnd = buffer.range(of: separator)
            if buffer.count > 1_000_000 { return nil }
        }
        guard let headerEnd else { return nil }
        let lines = String(decoding: buffer[buffer.startIndex..<headerEnd.lowerBound], as: UTF8.self)
            .components(separatedBy: "\r\n")
        let requestLine = (lines.first ?? "").split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Data(buffer[headerEnd.upperBound...])
        while body.count < length {
            let count = recv(connection, &chunk, min(chunk.count, length - body.count), 0)
            guard count > 0 else { return nil }
            body.append(contentsOf: chunk[0..<count])
        }
        let target = String(requestLine[1])
        let path = String(target.split(separator: "?", maxSplits: 1).first ?? Substring(target))
        return TestHTTPRequest(method: String(requestLine[0]), path: path, headers: headers, body: body)
    }

    private func sendAll(_ connection: Int32, _ data: Data) {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                // MSG_NOSIGNAL: a client that hung up must not kill the test process with SIGPIPE.
                let sent = send(connection, bytes.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// The test server could not listen.
public struct TestHTTPServerError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
