import Foundation
import Logging
import Synchronization

/// Logs go to stderr: human-readable on a terminal, one JSON object per line otherwise (for collectors).
enum LogSetup {
    private static let done = Mutex(false)

    static func bootstrapOnce() {
        let first = done.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        guard first else { return }
        let structured = !Terminal.stderrIsTerminal
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, structured: structured) }
    }
}

/// A log handler writing to stderr in text or JSON lines.
struct StderrLogHandler: LogHandler {
    let label: String
    let structured: Bool
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        if structured {
            var object: [String: String] = [
                "ts": Self.timestamp(), "level": event.level.rawValue, "logger": label, "msg": "\(event.message)",
            ]
            for (key, value) in merged { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            Terminal.writeError(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            Terminal.writeError("\(event.level.rawValue): \(event.message)\(fields.isEmpty ? "" : " " + fields)\n")
        }
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
