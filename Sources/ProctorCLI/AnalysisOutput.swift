import Foundation
import ProctorImaging
import ProctorVision

/// Writes to stdout, buffered or each at once. The first failed write is kept (later writes are
/// dropped) and thrown by ``flush()``; ``failed`` lets a long run stop early.
final class OutputWriter {
    private var buffer = Data()
    private(set) var failure: Failure?
    private let writesThrough: Bool

    var failed: Bool { failure != nil }

    /// - Parameter writesThrough: write each text at once. For results that each cost real work (an
    ///   analysed image): a reader sees them as they come, and an interrupted run keeps all it finished.
    ///   Otherwise texts are gathered into 64 KiB writes (a fast export).
    init(writesThrough: Bool = false) {
        self.writesThrough = writesThrough
    }

    func write(_ text: String) {
        guard failure == nil else { return }
        buffer.append(contentsOf: Array(text.utf8))
        if writesThrough || buffer.count > 64 << 10 { try? flush() }
    }

    func flush() throws(Failure) {
        if let failure { throw failure }
        defer { buffer.removeAll(keepingCapacity: true) }
        do {
            try StandardOutput.write(buffer)
        } catch {
            failure = error
            throw error
        }
    }
}

extension AnalysisRecord {
    /// One compact JSON object plus a newline.
    func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]  // the same text for the same result
        guard let data = try? encoder.encode(self) else { return "{\"image\":\"\(image)\",\"error\":\"encoding failed\"}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// Totals over a run of `proctor analyze`.
struct AnalysisSummary {
    var images = 0
    var analyzed = 0
    var failures = 0
    /// Failures that were the worker's, not the image's (see ``VisionError/Kind``).
    var modelUnavailable = 0
    var engineFailures = 0
    var verdicts: [String: Int] = [:]
    var totalMilliseconds = 0.0
    /// What ran degraded (--allow-degraded), as the refusal would have said it: carried in the summary
    /// so that results without phones or head pose are never mistaken for a full analysis.
    var degraded: [String] = []
    /// The first failure of each kind, "image: error", for the closing error line.
    var firstFailure: [VisionError.Kind: String] = [:]

    mutating func add(_ record: AnalysisRecord) {
        images += 1
        if let error = record.error {
            failures += 1
            let kind = record.errorKind.flatMap(VisionError.Kind.init(rawValue:)) ?? .badInput
            if firstFailure[kind] == nil { firstFailure[kind] = "\(record.image): \(error)" }
            switch kind {
            case .modelUnavailable: modelUnavailable += 1
            case .engineFailure: engineFailures += 1
            case .badInput: break
            }
        } else {
            analyzed += 1
            totalMilliseconds += record.ms
        }
        for verdict in record.verdicts ?? [] { verdicts[verdict, default: 0] += 1 }
    }

    /// 78 when a model or library could not be loaded, 70 when the engine failed on an accepted image,
    /// 1 when only inputs were bad, 0 when every image was analysed.
    var exitStatus: Int32 {
        if modelUnavailable > 0 { return 78 }
        if engineFailures > 0 { return 70 }
        return failures > 0 ? 1 : 0
    }

    var msPerImage: Double { analyzed > 0 ? totalMilliseconds / Double(analyzed) : 0 }

    /// The one line a failing run ends with on stderr, naming the count and the first failure of the
    /// kind that sets the exit status; nil when every image was analysed.
    var errorLine: String? {
        if modelUnavailable > 0, let first = firstFailure[.modelUnavailable] {
            return "\(modelUnavailable) image(s) need a model or library that could not be loaded (first: \(first))"
        }
        if engineFailures > 0, let first = firstFailure[.engineFailure] {
            return "the engine failed on \(engineFailures) image(s) (first: \(first))"
        }
        if failures > 0, let first = firstFailure[.badInput] {
            return "\(failures) of \(images) image(s) could not be analysed (first: \(first))"
        }
        return nil
    }

    func jsonLine() -> String {
        var summary: [String: Any] = [
            "images": images, "analyzed": analyzed, "failed": failures, "verdicts": verdicts,
            "ms_per_image": (msPerImage * 10).rounded() / 10,
        ]
        if !degraded.isEmpty { summary["degraded"] = degraded }
        let object: [String: Any] = ["summary": summary]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    func text() -> String {
        let counts = verdicts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return """

            \(images) images: \(analyzed) analyzed, \(failures) failed; \(String(format: "%.1f", msPerImage)) ms/image
            verdicts: \(counts.isEmpty ? "none" : counts)
            \(degraded.isEmpty ? "" : "DEGRADED (--allow-degraded): " + degraded.joined(separator: "; ") + "\n")
            """
    }
}

/// Human-readable rows for a terminal.
struct TableFormatter {
    /// Whether a reference photo was given: adds the IDENTITY column (the largest face's similarity and match).
    var identity = false

    func header() -> String {
        pad("IMAGE", 32) + pad("SIZE", 11) + pad("FACES", 6) + pad("POSE (yaw/pitch)", 18) + (identity ? pad("IDENTITY", 18) : "")
            + pad("OBJECTS", 34) + "VERDICTS\n"
    }

    func row(_ record: AnalysisRecord) -> String {
        let name = shorten(record.image, 31)
        if let error = record.error { return pad(name, 32) + "error: \(error)\n" }
        let size = "\(record.width ?? 0)x\(record.height ?? 0)"
        let faces = record.faces ?? []
        var pose = "-"
        if let face = faces.first, let yaw = face.yaw { pose = String(format: "%+.0f°/%+.0f°", yaw, face.pitch ?? 0) }
        var labels: [String: Int] = [:]
        for object in record.objects ?? [] { labels[object.label, default: 0] += 1 }
        let objects = labels.sorted { $0.key < $1.key }.map { $0.value > 1 ? "\($0.key) x\($0.value)" : $0.key }.joined(separator: ", ")
        let verdicts = (record.verdicts ?? []).joined(separator: " ")
        var identityColumn = ""
        if identity {
            var text = "-"
            if let face = faces.first, let judged = face.identity {
                text = String(format: "%.2f ", judged.similarity) + (judged.usable ? (judged.match ? "match" : "DIFFERENT") : "unclear")
            }
            identityColumn = pad(text, 18)
        }
        return pad(name, 32) + pad(size, 11) + pad("\(faces.count)", 6) + pad(pose, 18) + identityColumn + pad(shorten(objects, 33), 34)
            + (verdicts.isEmpty ? "ok" : verdicts) + "\n"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func shorten(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : "…" + text.suffix(width - 1)
    }
}
