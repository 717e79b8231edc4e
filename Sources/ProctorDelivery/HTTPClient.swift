import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A status and body received from the server.
struct HTTPResponse: Sendable {
    var status: Int
    var body: Data
    /// Header names lowercased.
    var headers: [String: String] = [:]

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Blocking requests over URLSession, for the shipper's own executor (``BlockingWorkExecutor``).
///
/// Connection-level failures (refused, reset, timed out, DNS) are transient; TLS trust failures and
/// malformed URLs are the deployment's to fix, so they make the sink unusable.
///
/// Redirects are never followed: URLSession would follow one to any origin, send the
/// `Authorization` header there and turn a POST into a GET without its body. The caller gets the
/// 3xx response itself (with its `Location`) and treats it as a misconfiguration.
final class HTTPClient: Sendable {
    private let session: URLSession
    private let timeout: Double
    private let challenges = ChallengeRefuser()
    /// The largest reply body kept: the service answers with a few hundred bytes of JSON. A server that
    /// sends more (an endless stream, a gzip bomb, which URLSession inflates) is cut off here.
    static let maxReplyBytes = 1 << 20

    init(timeout: Double) {
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        // Uploads of a few hundred kB must not hang for ever on a trickling link either.
        configuration.timeoutIntervalForResource = max(timeout * 6, 30)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpShouldSetCookies = false
        configuration.httpMaximumConnectionsPerHost = 2
        session = URLSession(configuration: configuration, delegate: challenges, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    /// Sends `request` and waits for the whole response; `what` names it in errors (never the URL's secrets).
    func send(_ request: URLRequest, what: String) throws(DeliveryFailure) -> HTTPResponse {
        let task = session.dataTask(with: request)
        // The delegate gathers the body (and cuts it off past the cap): a completion handler would be
        // given the whole body however large.
        let outcome = challenges.track(task, maxBytes: Self.maxReplyBytes)
        task.resume()
        // URLSession enforces the timeouts; this bound only guards against a callback that never comes.
        guard let (data, response, error) = outcome.wait(seconds: max(timeout * 6, 30) + 5) else {
            task.cancel()
            throw .transient("\(what): no response")
        }
        if challenges.wasChallenged(task.taskIdentifier) {
            throw .unusable("\(what): HTTP 401, authentication required (check the API token)")
        }
        if outcome.cutOff {
            throw .unusable("\(what): the reply is larger than \(Self.maxReplyBytes >> 20) MB, which no reply of the service is (check --api-url)")
        }
        if let error {
            throw Self.classify(error, what: what)
        }
        guard let http = response as? HTTPURLResponse else { throw .transient("\(what): not an HTTP response") }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, body: data ?? Data(), headers: headers)
    }

    private static func classify(_ error: any Error, what: String) -> DeliveryFailure {
        guard let urlError = error as? URLError else { return .transient("\(what): \(error.localizedDescription)") }
        let reason: String
        switch urlError.code {
        case .timedOut: reason = "timed out"
        case .cannotConnectToHost: return .unreachable("\(what): connection refused")
        case .networkConnectionLost: reason = "connection lost"
        case .cannotFindHost, .dnsLookupFailed: return .unreachable("\(what): host not found")
        case .notConnectedToInternet: return .unreachable("\(what): network down")
        case .badServerResponse: reason = "bad server response"
        case .badURL, .unsupportedURL:
            return .unusable("\(what): the API URL is not usable")
        case .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
            .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired,
            .secureConnectionFailed:
            return .unusable("\(what): TLS failed (\(urlError.code.rawValue)); check the certificate and --api-url")
        default: reason = "network error \(urlError.code.rawValue)"
        }
        return .transient("\(what): \(reason)")
    }
}

/// Refuses HTTP authentication challenges (remembering which tasks got one) and every redirect.
///
/// corelibs-foundation leaves a task suspended for ever on a 401 when nobody answers the challenge
/// (swift-corelibs-foundation#5456); cancelling it ends the task at once, and the client reports it
/// as the 401 it was. Credentials travel only as the configured bearer header.
private final class ChallengeRefuser: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // `lock` guards `challenged` and `running`.
    private let lock = NSLock()
    private var challenged: Set<Int> = []
    private var running: [Int: Outcome] = [:]

    /// Gathers `task`'s reply into the returned outcome, cancelling the task past `maxBytes`.
    func track(_ task: URLSessionTask, maxBytes: Int) -> Outcome {
        let outcome = Outcome(maxBytes: maxBytes)
        lock.lock()
        running[task.taskIdentifier] = outcome
        lock.unlock()
        return outcome
    }

    private func outcome(of task: URLSessionTask) -> Outcome? {
        lock.lock()
        defer { lock.unlock() }
        return running[task.taskIdentifier]
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        if outcome(of: dataTask)?.append(data) == false { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.lock()
        let outcome = running.removeValue(forKey: task.taskIdentifier)
        lock.unlock()
        outcome?.finish(response: task.response, error: error)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        lock.lock()
        challenged.insert(task.taskIdentifier)
        lock.unlock()
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        // nil: do not follow; the task completes with the redirect response itself.
        completionHandler(nil)
    }

    /// True once for a task that was challenged.
    func wasChallenged(_ identifier: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return challenged.remove(identifier) != nil
    }
}

/// A task's reply as the delegate gathers it, handed to the waiting thread when the task completes.
///
/// The one blocking wait left in delivery, on purpose: sinks are synchronous (libpq blocks in any
/// case) and the shipper calls them only on its own executor thread, so in the monitor this wait
/// never holds a thread of the cooperative pool (one-shot commands such as `doctor` have nothing else
/// to run); an async `send` would make every sink async for no gain.
private final class Outcome: @unchecked Sendable {
    // NSCondition guards everything below.
    private let condition = NSCondition()
    private var value: (Data?, URLResponse?, (any Error)?)?
    private var body = Data()
    private let maxBytes: Int
    private var overflowed = false

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// Whether the body passed the cap (the task was cancelled for it).
    var cutOff: Bool {
        condition.lock()
        defer { condition.unlock() }
        return overflowed
    }

    /// Adds a piece of the body; false once the body is over the cap (the caller cancels the task).
    func append(_ data: Data) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !overflowed else { return false }
        guard body.count + data.count <= maxBytes else {
            overflowed = true
            body = Data()
            return false
        }
        body.append(data)
        return true
    }

    func finish(response: URLResponse?, error: (any Error)?) {
        condition.lock()
        value = (body, response, error)
        condition.broadcast()
        condition.unlock()
    }

    func wait(seconds: Double) -> (Data?, URLResponse?, (any Error)?)? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while value == nil {
            if !condition.wait(until: deadline) { break }
        }
        return value
    }
}
