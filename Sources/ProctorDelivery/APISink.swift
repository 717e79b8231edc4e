import Foundation
import ProctorOutbox
import ProctorPostgres
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Delivers episodes through the proctoring service's REST API (`POST /api/record-violation/`).
///
/// Outcomes follow the service's contract (`api_record_violation` answers 201 with
/// `{"success": true, "event_id": N}`): a 2xx counts as delivered only with that body, anything
/// else is a failure quoting the body's first 200 bytes; 400, 405 and other 4xx rejections are
/// permanent (the reason is kept in the outbox); 401, 403 and 404 mean a wrong token or URL, which no
/// episode can get past, so the sink is unusable; so is any redirect (never followed: see
/// ``HTTPClient``); 5xx, 408, 429, timeouts and connection errors are transient, and a
/// `Retry-After` on 429/503 is honoured.
///
/// Duplicates: the service has no idempotency key and creates an event per call. An
/// `Idempotency-Key` header (the episode id) is sent for a future service version, but today a
/// response lost after the server committed (timeout, dropped connection, crash before the outbox
/// records the delivery) is retried and yields a second event. To bound that, each retry of an
/// episode waits longer for the reply: the n-th attempt gets `timeout × 2^min(n−1, 3)` (10, 20, 40,
/// then 80 s by default), so a service that commits and answers within 8 × timeout records an
/// episode at most 4 times, whatever the number of retries. Use the Postgres sink where exactly
/// once matters.
public final class APISink: DeliverySink {
    public let name = "api"
    public let updatesInPlace = false
    public let configuration: APIConfiguration
    /// One client per timeout step: attempt n of an episode uses `clients[min(n − 1, 3)]`.
    private let clients: [HTTPClient]
    /// The longest `Retry-After` honoured, in seconds; longer ones are cut to this.
    public static let maxRetryAfter = 3_600.0

    public init(configuration: APIConfiguration) {
        self.configuration = configuration
        clients = (0..<4).map { step in HTTPClient(timeout: configuration.timeout * Double(1 << step)) }
    }

    /// The reply timeout of an episode's attempt that follows `previousAttempts` attempts.
    public func timeout(previousAttempts: Int) -> Double { configuration.timeout * Double(1 << min(max(previousAttempts, 0), 3)) }

    private var client: HTTPClient { clients[0] }

    private struct ViolationBody: Encodable {
        var student_id: String
        var event_type: String
        var detected_objects: [String]
        var image_data: String?
    }

    private struct StartExamBody: Encodable {
        var student_id: String
        var exam_name: String
        var total_questions: Int
    }

    /// The fields of the service's JSON replies this client reads.
    private struct Reply: Decodable {
        var success: Bool?
        var message: String?
        var error: String?
        var event_id: Int?
        var exam_id: Int?
    }

    public func deliver(_ shipment: Shipment) throws(DeliveryFailure) -> DeliveryReceipt {
        try masked { () throws(DeliveryFailure) in try send(shipment) }
    }

    /// `GET /api/health/`; returns the service's message when it says it is running.
    public func health() throws(DeliveryFailure) -> String {
        try masked { () throws(DeliveryFailure) in try checkHealth() }
    }

    /// `POST /api/start-exam/`; returns the service's exam id.
    public func startExam(studentID: String, examName: String, totalQuestions: Int) throws(DeliveryFailure) -> Int {
        try masked { () throws(DeliveryFailure) in try start(studentID: studentID, examName: examName, totalQuestions: totalQuestions) }
    }

    /// Runs `body` with the API token masked in whatever failure it reports: a service's error page may
    /// echo the request's headers, and its text goes to logs, the outbox and doctor's output.
    private func masked<T>(_ body: () throws(DeliveryFailure) -> T) throws(DeliveryFailure) -> T {
        do {
            return try body()
        } catch {
            throw error.masking(configuration.token)
        }
    }

    private func send(_ shipment: Shipment) throws(DeliveryFailure) -> DeliveryReceipt {
        guard !shipment.studentID.isEmpty else { throw .permanent("the episode's session has no student id") }
        let record = shipment.episode.record
        let image = shipment.evidenceJPEG.map { jpeg in
            let fitted = EvidenceImages.downscaled(
                jpeg, maxSide: configuration.maxEvidenceSide, quality: configuration.evidenceQuality)
            return "data:image/jpeg;base64," + fitted.base64EncodedString()
        }
        let body = ViolationBody(
            student_id: shipment.studentID, event_type: record.eventType, detected_objects: shipment.detectedObjects,
            image_data: image)
        let what = "POST /api/record-violation/"
        let step = min(max(shipment.episode.delivery.attempts, 0), clients.count - 1)
        var post = try request("api/record-violation/", method: "POST", json: try encode(body), idempotencyKey: shipment.key)
        post.timeoutInterval = timeout(previousAttempts: step)
        let response = try clients[step].send(post, what: what)
        let reply = try? JSONDecoder().decode(Reply.self, from: response.body)
        try Self.check(response, reply: reply, what: what)
        // Only the service's own confirmation counts: a proxy's or a wrong server's 200 page does not.
        guard reply?.success == true, let eventID = reply?.event_id else {
            throw .unusable(
                "\(what): HTTP \(response.status) without the service's confirmation (success and event_id): "
                    + "\"\(Self.firstBytes(response.body))\" (check --api-url)")
        }
        return DeliveryReceipt(remoteID: String(eventID))
    }

    private func checkHealth() throws(DeliveryFailure) -> String {
        let what = "GET /api/health/"
        let response = try client.send(try request("api/health/", method: "GET"), what: what)
        let reply = try? JSONDecoder().decode(Reply.self, from: response.body)
        try Self.check(response, reply: reply, what: what)
        guard reply?.success == true else { throw .transient("\(what): the service did not report success") }
        return reply?.message ?? "running"
    }

    private func start(studentID: String, examName: String, totalQuestions: Int) throws(DeliveryFailure) -> Int {
        let what = "POST /api/start-exam/"
        let body = StartExamBody(student_id: studentID, exam_name: examName, total_questions: totalQuestions)
        let response = try client.send(try request("api/start-exam/", method: "POST", json: try encode(body)), what: what)
        let reply = try? JSONDecoder().decode(Reply.self, from: response.body)
        try Self.check(response, reply: reply, what: what)
        guard let examID = reply?.exam_id else { throw .transient("\(what): the reply has no exam_id") }
        return examID
    }

    private func request(
        _ path: String, method: String, json: Data? = nil, idempotencyKey: String? = nil
    ) throws(DeliveryFailure) -> URLRequest {
        var request = URLRequest(url: configuration.baseURL.appendingPathComponent(path))
        // appendingPathComponent drops the trailing slash Django's URLs need.
        if path.hasSuffix("/"), let url = request.url, !url.absoluteString.hasSuffix("/"),
            let withSlash = URL(string: url.absoluteString + "/")
        {
            request.url = withSlash
        }
        request.httpMethod = method
        request.timeoutInterval = configuration.timeout
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.setValue("proctor-vision/0.1", forHTTPHeaderField: "User-Agent")
        for (field, value) in configuration.headers { request.setValue(value, forHTTPHeaderField: field) }
        if let token = configuration.token, !token.isEmpty {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        if let json {
            request.httpBody = json
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        return request
    }

    private func encode(_ body: some Encodable) throws(DeliveryFailure) -> Data {
        let encoder = JSONEncoder()
        // Base64 is full of slashes; escaping them would only bloat the upload.
        encoder.outputFormatting = [.withoutEscapingSlashes]
        do {
            return try encoder.encode(body)
        } catch {
            throw .permanent("cannot encode the request: \(error)")
        }
    }

    private static func check(_ response: HTTPResponse, reply: Reply?, what: String) throws(DeliveryFailure) {
        let status = response.status
        if (200..<300).contains(status) { return }
        if (300..<400).contains(status) {
            let location = response.header("Location").map { Redaction.redact(String($0.prefix(300))) } ?? "(no Location)"
            throw .unusable(
                "\(what): HTTP \(status) redirect to \(location); redirects are not followed (credentials "
                    + "must not travel to another address): set --api-url to the service's real address")
        }
        let detail = Self.detail(reply, response.body)
        let text = "\(what): HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)")"
        switch status {
        case 401, 403, 407: throw .unusable("\(text) (check the API token)")
        case 404: throw .unusable("\(text) (check --api-url)")
        case 429, 503:
            if let seconds = retryAfter(response.header("Retry-After")) { throw .throttled(text, retryAfter: seconds) }
            throw .transient(text)
        case 408, 425, 500...599: throw .transient(text)
        case 400...499: throw .permanent(text)
        default: throw .transient(text)
        }
    }

    /// `Retry-After` as seconds from now: delta-seconds or an HTTP date, bounded to 0...``maxRetryAfter``.
    static func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite { return min(max(seconds, 0), maxRetryAfter) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return min(max(date.timeIntervalSince(now), 0), maxRetryAfter)
    }

    /// The body's first 200 bytes on one line.
    private static func firstBytes(_ body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The server's own explanation, short and on one line.
    private static func detail(_ reply: Reply?, _ body: Data) -> String {
        let raw = reply?.error ?? reply?.message ?? String(decoding: body.prefix(200), as: UTF8.self)
        let line = raw.split(whereSeparator: \.isNewline).joined(separator: " ")
        return String(line.prefix(200))
    }
}
