// Writes episodes to an outbox in an endless loop and reports each one on stdout only after its
// commit returned, so that a test can SIGKILL it at any moment and then check that everything
// reported is in the database, intact.
//
// Usage: OutboxCrashWriter <database path> <session id>
// Output, one line per commit: committed <episode uuid> <revision> <jpeg fnv64> <thumbnail fnv64>
// Each episode's labels also carry "jpeg:<fnv64>" and "thumb:<fnv64>", so every stored row can be
// checked against its own evidence, reported or not.

import Foundation
import ProctorCore
import ProctorOutbox

/// FNV-1a, 64 bit, as 16 hex digits: enough to notice torn or mixed-up evidence.
func fnv64(_ data: Data) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

func randomData(count: Int) -> Data {
    var generator = SystemRandomNumberGenerator()
    let words = (0..<(count + 7) / 8).map { _ in generator.next() }
    return words.withUnsafeBytes { Data($0.prefix(count)) }
}

func report(_ line: String) {
    // One write per line and an immediate flush: the line must not outlive the process in a buffer.
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: OutboxCrashWriter <database path> <session id>\n".utf8))
    exit(2)
}

do {
    let outbox = try Outbox(path: arguments[1])
    let sessionID = arguments[2]
    try outbox.openSession(id: sessionID, studentID: "student-1", examID: "exam-1", startedAt: Date())
    var media = 0.0
    var index = 0
    while true {
        let id = UUID()
        let type = EpisodeType.allCases[index % EpisodeType.allCases.count]
        for stage in 0..<3 {
            let jpeg = randomData(count: Int.random(in: 1_000...150_000))
            let thumbnail = randomData(count: Int.random(in: 200...8_000))
            let closed = stage == 2
            let record = EpisodeRecord(
                id: id, type: type, eventType: type.rawValue, severity: stage == 0 ? .medium : .high,
                startMedia: media, endMedia: closed ? media + 5 : nil, peakConfidence: 0.5 + Double(stage) / 10,
                framesSeen: 1 + stage * 10, labels: ["jpeg:\(fnv64(jpeg))", "thumb:\(fnv64(thumbnail))", "person"],
                state: closed ? .closed : .open)
            let stored = try outbox.upsertEpisode(
                sessionID: sessionID, episode: record, evidenceJPEG: jpeg, thumbnailJPEG: thumbnail)
            report("committed \(id.uuidString) \(stored.revision) \(fnv64(jpeg)) \(fnv64(thumbnail))")
        }
        if index % 3 == 0 {
            try outbox.markDelivered(id: id, sink: "crash-test", remoteID: "remote-\(index)")
        }
        media += 6
        index += 1
    }
} catch {
    FileHandle.standardError.write(Data("OutboxCrashWriter: \(error)\n".utf8))
    exit(1)
}
