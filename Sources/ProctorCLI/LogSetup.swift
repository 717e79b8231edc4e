import Foundation
import Logging
import ProctorImaging
import ProctorVision
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

    /// Native decoders' warnings (libpng's, caught by the shim instead of printed) become log lines.
    static func routeDecoderWarnings(level: Logger.Level) {
        var logger = Logger(label: "proctor.decoder")
        logger.logLevel = level
        DecoderWarnings.route { [logger] warning in
            var metadata: Logger.Metadata = ["library": "\(warning.library)", "warning": "\(warning.message)"]
            if let source = warning.source { metadata["image"] = "\(source)" }
            logger.warning("decoder warning", metadata: metadata)
        }
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
            var object: [String: Any] = [:]
            for (key, value) in merged { object[key] = Self.jsonValue(value) }
            // The envelope wins over metadata of the same name.
            object["ts"] = Self.timestamp()
            object["level"] = event.level.rawValue
            object["logger"] = label
            object["msg"] = "\(event.message)"
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            Terminal.writeError(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            Terminal.writeLogLine("\(event.level.rawValue): \(event.message)\(fields.isEmpty ? "" : " " + fields)\n")
        }
    }

    /// Metadata as JSON: numbers and booleans given as values (`.stringConvertible(3)`) stay numbers,
    /// everything else is text; a non-finite number (not valid JSON) becomes text.
    static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text):
            return text
        case .stringConvertible(let convertible):
            switch convertible {
            case let flag as Bool: return flag
            case let number as Int: return number
            case let number as Int64: return number
            case let number as Int32: return number
            case let number as UInt: return number
            case let number as UInt64: return number
            case let number as UInt32: return number
            case let number as Double: return number.isFinite ? number : "\(number)"
            case let number as Float: return number.isFinite ? Double(number) : "\(number)"
            default: return convertible.description
            }
        case .array(let values):
            return values.map(jsonValue)
        case .dictionary(let entries):
            return entries.mapValues(jsonValue)
        }
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
