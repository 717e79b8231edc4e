import Foundation
import ProctorCore
@testable import ProctorOutbox

/// A fresh directory per test, removed afterwards.
struct TemporaryDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("proctor-outbox-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

enum OutboxFixture {
    static let sessionStart = Date(timeIntervalSince1970: 1_800_000_000)

    static func record(
        id: UUID = UUID(), type: EpisodeType = .phoneDetected, start: Double = 10, end: Double? = nil,
        severity: EpisodeSeverity = .high, labels: Set<String> = ["cell phone"]
    ) -> EpisodeRecord {
        EpisodeRecord(
            id: id, type: type, eventType: type == .phoneDetected ? "object_detected" : type.rawValue,
            severity: severity, startMedia: start, endMedia: end, peakConfidence: 0.8, framesSeen: 4,
            labels: labels, state: end == nil ? .open : .closed)
    }

    /// An outbox with one open session "s1".
    static func outbox(in directory: borrowing TemporaryDirectory, name: String = "outbox.sqlite") throws -> Outbox {
        let outbox = try Outbox(path: directory.path(name))
        try outbox.openSession(id: "s1", studentID: "student", examID: "exam", startedAt: sessionStart)
        return outbox
    }

    static func jpeg(_ seed: UInt8, count: Int = 4_096) -> Data { Data((0..<count).map { UInt8(truncatingIfNeeded: $0) &+ seed }) }
}

/// FNV-1a 64, as the crash writer computes it.
func fnv64(_ data: Data) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
