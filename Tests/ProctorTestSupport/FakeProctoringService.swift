import Foundation

/// The proctoring service's REST API as deployed (Django views `api_*`), in memory, on a real HTTP
/// server, with faults the tests switch on.
///
/// Behaviour follows the contract: every `record-violation` call creates a new event (the service
/// has no idempotency), the student is created on first sight of its id, missing fields are 400,
/// a wrong method 405, and the image is kept as `cheating_images/violation_<event_id>.jpg`.
public final class FakeProctoringService: @unchecked Sendable {
    /// One recorded `cheatingevent` with what came with it.
    public struct Event: Sendable {
        public var id: Int
        public var studentID: String
        public var eventType: String
        public var detectedObjects: [String]
        /// The decoded `image_data`, nil when none was sent.
        public var image: Data?
        public var imagePath: String?
        public var idempotencyKey: String?
        public var authorization: String?
        public var extraHeader: String?
    }

    /// What the next `record-violation` calls run into.
    public enum Fault: Sendable {
        /// Answer with this status before doing anything (500: the server failed, nothing committed).
        case status(Int)
        /// Commit, then answer only after `seconds` (the client times out: a lost response).
        case slowAfterCommit(seconds: Double)
        /// Read the request and drop the connection without committing.
        case dropBeforeCommit
        /// Commit, then drop the connection (the response is lost).
        case dropAfterCommit
        /// Answer with this status and `Retry-After` value, committing nothing (429/503 throttling).
        case retryAfter(status: Int, value: String)
        /// Answer with a redirect to `location`, committing nothing (a moved service, a hostile proxy).
        case redirect(status: Int, location: String)
        /// Answer 200 with a body that is not the service's (a captive portal, a wrong server).
        case foreignOK(body: String)
    }

    // `lock` guards everything below it.
    private let lock = NSLock()
    private var students: [String: Int] = [:]
    private var recorded: [Event] = []
    private var exams: [Int: String] = [:]
    private var faults: [Fault] = []
    private var rejectedEventTypes: Set<String> = []
    private var calls = 0
    private var replyDelay = 0.0
    public private(set) var server: TestHTTPServer?

    public init() throws {
        server = try TestHTTPServer { [weak self] request in
            self?.handle(request) ?? .drop
        }
    }

    public var baseURL: URL { server?.baseURL ?? URL(fileURLWithPath: "/") }

    public var events: [Event] { locked { recorded } }

    /// Calls to `record-violation`, answered or not.
    public var violationCalls: Int { locked { calls } }

    /// Every `record-violation` answer waits this long after the commit (a busy server).
    public func answerAfter(seconds: Double) { locked { replyDelay = seconds } }

    /// Queues faults for the next calls, one per call.
    public func inject(_ next: [Fault]) { locked { faults += next } }

    /// The service answers 400 for this event type (as it does for a database error).
    public func reject(eventType: String) { locked { _ = rejectedEventTypes.insert(eventType) } }

    /// Stops listening: connection refused until ``comeBack()``.
    public func goDown() { server?.stop() }

    public func comeBack() throws { try server?.start() }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    private func handle(_ request: TestHTTPRequest) -> TestHTTPReply {
        let path = request.path
        if path == "/api/health/" {
            return .respond(
                status: 200,
                json: #"{"success": true, "message": "Proctoring API is running", "service": "Fake Proctoring"}"#)
        }
        if path == "/api/record-violation/" { return recordViolation(request) }
        if path == "/api/start-exam/" { return startExam(request) }
        if path.hasPrefix("/api/exam-result/") { return examResult(request) }
        return .respond(status: 404, json: #"{"success": false, "error": "Not found"}"#)
    }

    private func recordViolation(_ request: TestHTTPRequest) -> TestHTTPReply {
        let fault: Fault? = locked {
            calls += 1
            return faults.isEmpty ? nil : faults.removeFirst()
        }
        if case .status(let status) = fault {
            return .respond(status: status, json: #"{"success": false, "error": "Internal error"}"#)
        }
        if case .dropBeforeCommit = fault { return .drop }
        if case .retryAfter(let status, let value) = fault {
            return .raw(status: status, headers: ["Retry-After": value, "Content-Type": "application/json"],
                body: #"{"success": false, "error": "Slow down"}"#)
        }
        if case .redirect(let status, let location) = fault {
            return .raw(status: status, headers: ["Location": location], body: "")
        }
        if case .foreignOK(let body) = fault {
            return .raw(status: 200, headers: ["Content-Type": "text/html"], body: body)
        }
        guard request.method == "POST" else {
            return .respond(status: 405, json: #"{"success": false, "error": "Method not allowed"}"#)
        }
        guard let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any] else {
            return .respond(status: 400, json: #"{"success": false, "error": "Invalid JSON"}"#)
        }
        guard let student = object["student_id"] as? String, !student.isEmpty,
            let eventType = object["event_type"] as? String, !eventType.isEmpty
        else {
            return .respond(status: 400, json: #"{"success": false, "error": "Missing required fields"}"#)
        }
        let rejected = locked { rejectedEventTypes.contains(eventType) }
        guard eventType.count <= 50, !rejected else {
            return .respond(
                status: 400, json: #"{"success": false, "error": "Error: value too long or rejected event type"}"#)
        }
        var image: Data?
        if let data = object["image_data"] as? String, !data.isEmpty {
            let encoded = data.split(separator: ",", maxSplits: 1).last.map(String.init) ?? data
            image = Data(base64Encoded: encoded)
        }
        let id: Int = locked {
            if students[student] == nil { students[student] = students.count + 1 }
            let id = recorded.count + 1
            recorded.append(
                Event(
                    id: id, studentID: student, eventType: eventType,
                    detectedObjects: object["detected_objects"] as? [String] ?? [], image: image,
                    imagePath: image == nil ? nil : "cheating_images/violation_\(id).jpg",
                    idempotencyKey: request.headers["idempotency-key"], authorization: request.headers["authorization"],
                    extraHeader: request.headers["x-proctor-site"]))
            return id
        }
        let reply = #"{"success": true, "message": "Violation recorded", "event_id": \#(id)}"#
        switch fault {
        case .slowAfterCommit(let seconds): return .respond(status: 201, json: reply, delay: seconds)
        case .dropAfterCommit: return .drop
        default: return .respond(status: 201, json: reply, delay: locked { replyDelay })
        }
    }

    /// What the service's report page (`views.report_page` / `cheating_status`) counts for a
    /// student: events whose `event_type` is one of `object_detected`, `multiple_faces_detected` or
    /// `tab_switch`; anything else is invisible there and the page says "No Cheating Detected".
    public static let reportPageCountedTypes: Set<String> = ["object_detected", "multiple_faces_detected", "tab_switch"]

    /// The events the report page counts for `student`.
    public func reportPageCount(student: String) -> Int {
        events.filter { $0.studentID == student && Self.reportPageCountedTypes.contains($0.eventType) }.count
    }

    private func startExam(_ request: TestHTTPRequest) -> TestHTTPReply {
        guard request.method == "POST" else {
            return .respond(status: 405, json: #"{"success": false, "error": "Method not allowed"}"#)
        }
        guard let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any],
            let student = object["student_id"] as? String, !student.isEmpty,
            let name = object["exam_name"] as? String, !name.isEmpty,
            let total = object["total_questions"] as? Int, total != 0
        else { return .respond(status: 400, json: #"{"success": false, "error": "Missing required fields"}"#) }
        let examID: Int = locked {
            if students[student] == nil { students[student] = students.count + 1 }
            let id = exams.count + 1
            exams[id] = student
            return id
        }
        return .respond(
            status: 201,
            json: #"{"success": true, "message": "Exam started", "exam_id": \#(examID), "exam_name": "\#(name)"}"#)
    }

    private func examResult(_ request: TestHTTPRequest) -> TestHTTPReply {
        let idText = request.path.dropFirst("/api/exam-result/".count).split(separator: "/").first.map(String.init)
        guard request.method == "GET" else {
            return .respond(status: 405, json: #"{"success": false, "error": "Method not allowed"}"#)
        }
        guard let id = idText.flatMap(Int.init), let student = locked({ exams[id] }) else {
            return .respond(status: 404, json: #"{"success": false, "error": "Exam not found"}"#)
        }
        let violations = events.filter { $0.studentID == student }.map { #"{"id": \#($0.id), "type": "\#($0.eventType)"}"# }
        return .respond(
            status: 200,
            json: #"{"success": true, "exam": {"id": \#(id)}, "violations": [\#(violations.joined(separator: ", "))]}"#)
    }
}
