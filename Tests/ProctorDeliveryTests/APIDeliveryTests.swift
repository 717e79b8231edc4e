import Foundation
import ProctorDelivery
import ProctorImaging
import ProctorOutbox
import ProctorTestSupport
import Testing

/// The REST API sink against a real HTTP server that follows the service's contract.
@Suite struct APIDeliveryTests {
    private func sink(_ service: FakeProctoringService, timeout: Double = 2, token: String? = "s3cret-token") -> APISink {
        APISink(
            configuration: APIConfiguration(
                baseURL: service.baseURL, token: token, headers: ["X-Proctor-Site": "lab-3"], timeout: timeout))
    }

    private func shipment(_ outbox: Outbox, evidence: Data? = DeliveryFixture.photo) throws -> Shipment {
        let ids = try DeliveryFixture.fill(outbox, perSession: 1, evidence: evidence)
        let episode = try #require(try outbox.episode(id: ids[0]))
        return Shipment(episode: episode, studentID: "user_2abc", examID: "exam", evidenceJPEG: evidence)
    }

    @Test func aViolationIsRecordedWithDownscaledEvidenceAndHeaders() throws {
        let service = try FakeProctoringService()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        // A 2560x1440 frame: must arrive at most 1280 px on its long side.
        let big = try Image.decode([UInt8](DeliveryFixture.photo)).resized(width: 2560, height: 1440).jpegData(quality: 95)
        let item = try shipment(outbox, evidence: Data(big))
        let receipt = try sink(service).deliver(item)
        let event = try #require(service.events.first)
        #expect(receipt.remoteID == "\(event.id)")
        #expect(event.studentID == "user_2abc")
        #expect(event.eventType == "phone_detected")
        #expect(event.detectedObjects == ["cell phone", "person"])
        #expect(event.idempotencyKey == item.key)
        #expect(event.authorization == "Bearer s3cret-token")
        #expect(event.extraHeader == "lab-3")
        let image = try Image.decode([UInt8](try #require(event.image)))
        #expect(max(image.width, image.height) == 1280)
        #expect(event.imagePath == "cheating_images/violation_\(event.id).jpg")
    }

    @Test func healthAndStartExamFollowTheContract() throws {
        let service = try FakeProctoringService()
        let api = sink(service)
        #expect(try api.health() == "Proctoring API is running")
        let exam = try api.startExam(studentID: "user_2abc", examName: "Calculus", totalQuestions: 20)
        #expect(exam == 1)
    }

    @Test(arguments: [
        (FakeProctoringService.Fault.status(500), "transient"), (.status(503), "transient"), (.status(429), "transient"),
        (.status(400), "permanent"), (.status(405), "permanent"), (.status(401), "unusable"), (.status(404), "unusable"),
        (.dropBeforeCommit, "transient"), (.dropAfterCommit, "transient"), (.slowAfterCommit(seconds: 4), "transient"),
        // A page that echoes the request's headers: the token must not reach the message (asserted below).
        (.foreignOK(body: "<pre>Authorization: Bearer s3cret-token</pre>"), "unusable"),
    ])
    func failuresAreClassifiedByTheContract(fault: FakeProctoringService.Fault, expected: String) throws {
        let service = try FakeProctoringService()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        service.inject([fault])
        let item = try shipment(outbox, evidence: nil)
        var kind = "delivered"
        var message = ""
        do {
            _ = try sink(service, timeout: 1.5).deliver(item)
        } catch {
            message = error.message
            switch error {
            case .transient, .unreachable, .throttled: kind = "transient"
            case .permanent: kind = "permanent"
            case .unusable: kind = "unusable"
            }
        }
        #expect(kind == expected, "\(fault): \(message)")
        #expect(!message.contains("s3cret"))
    }

    /// A reply no service sends (megabytes: an endless stream, an inflated gzip bomb) is cut off at the
    /// cap rather than held in memory whole.
    @Test func anOversizedReplyIsCutOff() throws {
        let service = try FakeProctoringService()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        service.inject([.foreignOK(body: String(repeating: "x", count: 3 << 20))])
        #expect {
            _ = try sink(service).deliver(try shipment(outbox))
        } throws: { error in
            guard let failure = error as? DeliveryFailure, case .unusable(let message) = failure else { return false }
            return message.contains("larger than 1 MB")
        }
        // The next reply of normal size goes through the same client.
        #expect(throws: Never.self) { _ = try sink(service).deliver(try shipment(outbox)) }
    }

    /// A service that is not listening was never reached: nothing can be there twice.
    @Test func aRefusedConnectionIsUnreachable() throws {
        let service = try FakeProctoringService()
        let url = service.baseURL
        service.goDown()  // its port is closed now: connections are refused
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let sink = APISink(configuration: APIConfiguration(baseURL: url, token: "s3cret-token", timeout: 2))
        #expect {
            _ = try sink.deliver(try shipment(outbox))
        } throws: { error in
            guard let failure = error as? DeliveryFailure, case .unreachable(let message) = failure else { return false }
            return message.contains("connection refused") && failure.serviceDidNotRecord
        }
    }

    /// The service answers 400 when its database refuses the row (here: an event type it rejects).
    @Test func anEventTheServiceRefusesIsRecordedAsFailedAndTheNextDelivered() async throws {
        let service = try FakeProctoringService()
        service.reject(eventType: "unknown_kind")
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        try outbox.openSession(id: "s", studentID: "st", examID: "e", startedAt: DeliveryFixture.sessionStart)
        let bad = DeliveryFixture.record(start: 1, eventType: "unknown_kind")
        let good = DeliveryFixture.record(start: 2)
        try outbox.upsertEpisode(sessionID: "s", episode: bad)
        try outbox.upsertEpisode(sessionID: "s", episode: good)
        let report = await Shipper(outbox: outbox, sink: sink(service), clock: TestClock()).drain()
        #expect(report.isComplete)
        #expect(report.rejected == 1)
        let failed = try #require(try outbox.episode(id: bad.id))
        #expect(failed.delivery.state == .failed)
        #expect(failed.delivery.lastError?.contains("HTTP 400") == true)
        #expect(try outbox.episode(id: good.id)?.delivery.state == .delivered)
    }

    /// A 405 (a wrong method: a proxy or a moved route) is permanent, the episode is marked failed; a
    /// 500 (nothing committed) is transient, the episode is retried and arrives.
    @Test func aWrongMethodIsRecordedAsFailedAndAServerSideErrorIsRetried() async throws {
        let service = try FakeProctoringService()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 2)
        service.inject([.status(405), .status(500)])
        let clock = TestClock()
        let report = await Shipper(outbox: outbox, sink: sink(service), clock: clock).drain()
        #expect(report.isComplete, "\(report)")
        #expect(report.rejected == 1 && report.transientFailures == 1 && report.delivered == 1, "\(report)")
        let wrongMethod = try #require(try outbox.episode(id: ids[0]))
        #expect(wrongMethod.delivery.state == .failed)
        #expect(wrongMethod.delivery.lastError?.contains("HTTP 405") == true, "\(wrongMethod.delivery)")
        #expect(try outbox.episode(id: ids[1])?.delivery.state == .delivered)
        #expect(service.events.count == 1 && service.violationCalls == 3)
        #expect(clock.sleeps.count == 1)  // one backoff after the 500
    }

    @Test func anAPIOutageIsRiddenOutAndEveryEpisodeArrives() async throws {
        let service = try FakeProctoringService()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, sessions: 2, perSession: 5)
        service.goDown()
        // The service comes back after the shipper has backed off four times.
        let clock = TestClock { sleeps in if sleeps == 4 { try? service.comeBack() } }
        let report = await Shipper(outbox: outbox, sink: sink(service), clock: clock).drain()
        #expect(report.isComplete, "\(report)")
        #expect(report.transientFailures >= 4)
        try expectAtLeastOnce(ids, service: service, outbox: outbox)
    }

    @Test func fiveHundredsForNAttemptsBackOffThenDeliver() async throws {
        let service = try FakeProctoringService()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 4)
        service.inject(Array(repeating: .status(500), count: 6))
        let clock = TestClock()
        let report = await Shipper(outbox: outbox, sink: sink(service), clock: clock).drain()
        #expect(report.isComplete)
        #expect(clock.sleeps == [0.5, 1, 2, 4, 8, 16])
        try expectAtLeastOnce(ids, service: service, outbox: outbox)
        #expect(service.events.count == ids.count)
    }

    @Test func lostResponsesAreRetriedAndTheirDuplicatesCounted() async throws {
        let service = try FakeProctoringService()
        let directory = try TemporaryDirectory()
        let outbox = try Outbox(path: directory.path("outbox.sqlite"))
        let ids = try DeliveryFixture.fill(outbox, perSession: 4, evidence: nil)
        service.inject([.dropBeforeCommit, .dropAfterCommit, .slowAfterCommit(seconds: 4)])
        let report = await Shipper(outbox: outbox, sink: sink(service, timeout: 1.5), clock: TestClock()).drain()
        #expect(report.isComplete)
        let duplicates = try expectAtLeastOnce(ids, service: service, outbox: outbox)
        // The drop after commit committed an event the client never heard of. The slow reply came on
        // the third attempt, which waits 4 × 1.5 s for it, so it is heard and costs no duplicate; a
        // loaded machine may time out more, which only adds duplicates (at least once, never lost).
        #expect(duplicates >= 1)
        #expect(service.events.count == ids.count + duplicates)
    }

    /// Every episode reached the service at least once and is delivered in the outbox; returns the
    /// number of duplicate events.
    @discardableResult
    private func expectAtLeastOnce(_ ids: [UUID], service: FakeProctoringService, outbox: Outbox) throws -> Int {
        var perEpisode: [String: Int] = [:]
        for event in service.events { perEpisode[event.idempotencyKey ?? "none", default: 0] += 1 }
        for id in ids {
            #expect(perEpisode[id.uuidString.lowercased(), default: 0] >= 1, "episode \(id) never arrived")
            #expect(try outbox.episode(id: id)?.delivery.state == .delivered)
        }
        return perEpisode.values.reduce(0) { $0 + $1 - 1 }
    }
}
