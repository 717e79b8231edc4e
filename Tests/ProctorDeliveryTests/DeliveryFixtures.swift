import Foundation
import ProctorCore
import ProctorDelivery
import ProctorOutbox
import ProctorTestSupport
import Synchronization
import Testing

/// Virtual time: sleeps return at once and move the clock forward, so backoff costs no real time.
final class TestClock: DeliveryClock {
    private let state = Mutex((now: Date(timeIntervalSince1970: 1_900_000_000), sleeps: [Double]()))
    /// Runs on every sleep with the number of sleeps so far; tests use it to end an outage.
    private let onSleep: @Sendable (Int) -> Void

    init(onSleep: @escaping @Sendable (Int) -> Void = { _ in }) { self.onSleep = onSleep }

    func now() -> Date { state.withLock { $0.now } }

    func sleep(seconds: Double) async {
        let count = state.withLock { state -> Int in
            state.sleeps.append(seconds)
            state.now = state.now.addingTimeInterval(max(0, seconds))
            return state.sleeps.count
        }
        onSleep(count)
    }

    /// Always the top of the jitter range, so expected delays are exact.
    func random() -> Double { 1 }

    var sleeps: [Double] { state.withLock { $0.sleeps } }
}

/// Virtual time that stands still: a sleep suspends until its task is cancelled (the shipper's
/// wake-up or stop), never by itself, so a test sees whether the shipper was woken early.
final class FrozenClock: DeliveryClock {
    private let instant = Date(timeIntervalSince1970: 1_900_000_000)
    private let state = Mutex((requested: [Double](), cutShort: 0))
    private let started: AsyncStream<Double>.Continuation
    /// Each sleep's requested seconds, as it begins; one test task reads it.
    let sleepsStarted: AsyncStream<Double>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Double.self)
        sleepsStarted = stream
        started = continuation
    }

    func now() -> Date { instant }

    func sleep(seconds: Double) async {
        state.withLock { $0.requested.append(seconds) }
        let (forever, end) = AsyncStream.makeStream(of: Never.self)
        started.yield(seconds)
        await withTaskCancellationHandler {
            for await _ in forever {}
        } onCancel: {
            end.finish()
        }
        state.withLock { $0.cutShort += 1 }
    }

    func random() -> Double { 1 }

    /// Sleeps that ended early, every one of them, since virtual time never moves.
    var cutShort: Int { state.withLock { $0.cutShort } }
    var requested: [Double] { state.withLock { $0.requested } }
}

extension Task where Failure == Never {
    /// The task's value; a test cancelled first (past its time limit) cancels the task too, so a
    /// shipper that was never woken fails the test instead of hanging the run.
    var valueUnlessCancelled: Success {
        get async { await withTaskCancellationHandler { await value } onCancel: { cancel() } }
    }
}

/// Builds outboxes full of closed episodes with real JPEG evidence.
enum DeliveryFixture {
    static let sessionStart = Date(timeIntervalSince1970: 1_800_000_000)

    /// A real photo, 1280x720. Missing, it fails the test that asked for it (never a stand-in).
    static var photo: Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: TestAssets.photo("zidane.jpg")))
        } catch {
            Issue.record("fixtures/photos/zidane.jpg unreadable (\(error)): \(TestAssets.missingModelsMessage)")
            return Data()
        }
    }

    static func record(start: Double, type: EpisodeType = .phoneDetected, eventType: String? = nil) -> EpisodeRecord {
        EpisodeRecord(
            id: UUID(), type: type, eventType: eventType ?? type.rawValue, severity: .high, startMedia: start,
            endMedia: start + 2, peakConfidence: 0.9, framesSeen: 4,
            labels: type == .phoneDetected ? ["cell phone", "person"] : [], state: .closed)
    }

    /// An outbox at `path` with `sessions` sessions of `perSession` closed episodes each; returns
    /// the episode ids in delivery order.
    @discardableResult
    static func fill(
        _ outbox: Outbox, sessions: Int = 1, perSession: Int, evidence: Data? = photo, studentPrefix: String = "student"
    ) throws -> [UUID] {
        var ids: [UUID] = []
        for session in 0..<sessions {
            let sessionID = "session-\(session)-\(UUID().uuidString.prefix(8))"
            try outbox.openSession(
                id: sessionID, studentID: "\(studentPrefix)-\(session)", examID: "exam-1",
                startedAt: sessionStart.addingTimeInterval(Double(session)))
            for index in 0..<perSession {
                let record = record(start: Double(index) * 10)
                try outbox.upsertEpisode(sessionID: sessionID, episode: record, evidenceJPEG: evidence)
                ids.append(record.id)
            }
        }
        return ids
    }
}

/// A sink that answers from a script, for the shipper's own logic.
final class ScriptedSink: DeliverySink {
    let name = "scripted"
    let updatesInPlace: Bool
    private let script: Mutex<(answers: [UUID: [DeliveryFailure]], delivered: [UUID], attempts: [UUID])>

    init(updatesInPlace: Bool = true, failures: [UUID: [DeliveryFailure]] = [:]) {
        self.updatesInPlace = updatesInPlace
        script = Mutex((answers: failures, delivered: [], attempts: []))
    }

    func deliver(_ shipment: Shipment) throws(DeliveryFailure) -> DeliveryReceipt {
        let failure = script.withLock { state -> DeliveryFailure? in
            state.attempts.append(shipment.episode.id)
            if var queue = state.answers[shipment.episode.id], !queue.isEmpty {
                let next = queue.removeFirst()
                state.answers[shipment.episode.id] = queue
                return next
            }
            state.delivered.append(shipment.episode.id)
            return nil
        }
        if let failure { throw failure }
        return DeliveryReceipt(remoteID: "r-\(shipment.key.prefix(8))")
    }

    var delivered: [UUID] { script.withLock { $0.delivered } }
    var attempts: [UUID] { script.withLock { $0.attempts } }
}

/// A sink whose deliveries block their thread until ``open()``, as a stuck network call or fsync
/// does; each announces itself on ``entered``. A delivery still blocked after `seconds` gives up
/// and is counted in ``timedOut``, so a test of "who is blocked" cannot hang.
final class GatedSink: DeliverySink {
    let name = "gated"
    let updatesInPlace = true
    let entered: AsyncStream<Void>
    private let announce: AsyncStream<Void>.Continuation
    private let gate = DispatchSemaphore(value: 0)
    private let seconds: Double
    private let timeouts = Mutex(0)

    init(seconds: Double) {
        self.seconds = seconds
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        entered = stream
        announce = continuation
    }

    func deliver(_ shipment: Shipment) throws(DeliveryFailure) -> DeliveryReceipt {
        announce.yield()
        if gate.wait(timeout: .now() + seconds) == .timedOut { timeouts.withLock { $0 += 1 } }
        return DeliveryReceipt(remoteID: "g-\(shipment.key.prefix(8))")
    }

    /// Lets that many deliveries, waiting now or later, through.
    func open(_ deliveries: Int) { for _ in 0..<deliveries { gate.signal() } }

    var timedOut: Int { timeouts.withLock { $0 } }
}
