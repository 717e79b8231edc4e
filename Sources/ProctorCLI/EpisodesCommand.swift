import ArgumentParser
import Foundation
import ProctorOutbox
import ProctorReport

/// `proctor episodes`: what the local outbox holds.
struct Episodes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the episodes in the local outbox with their session, times and delivery state.",
        discussion: """
            Example: proctor episodes --format json --session 6f1c0d2e-0000-4000-8000-000000000000
            \(ExitStatus.line([(0, nil), (64, nil), (66, "no outbox there"), (74, nil)]))
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @OptionGroup var outboxOptions: OutboxOptions

    @Option(help: "Only this session (its id, or a unique start of it such as the table's 8 characters).")
    var session: String?

    @Option(help: "table or json (default: table on a terminal, json otherwise).")
    var format: Format?

    func run() throws {
        let path = outboxOptions.path
        let outbox = try Outbox.openForReading(path)
        defer { outbox.close() }
        let episodes: [StoredEpisode]
        do {
            let sessions = try outbox.sessions()
            let selected = try session.map { given throws(Failure) in try SessionPrefix.resolve(given, among: sessions, outbox: path) }
            episodes = try outbox.episodes(sessionID: selected)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure.configuration("outbox \(path): \(error)")
        }
        switch format ?? (Terminal.stdoutIsTerminal ? .table : .json) {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let data = try encoder.encode(episodes.map(EpisodeRow.init))
            print(String(decoding: data, as: UTF8.self))
        case .table:
            print(table(episodes))
        }
    }

    func table(_ episodes: [StoredEpisode]) -> String {
        guard !episodes.isEmpty else { return "no episodes" }
        var lines = ["SESSION   TYPE             SEVERITY  START    END      CONF  STATE        DELIVERY"]
        for episode in episodes {
            let r = episode.record
            let end = r.endMedia.map { Self.clock($0) } ?? "open"
            var delivery = episode.delivery.state.rawValue
            if let error = episode.delivery.lastError { delivery += " (\(error))" }
            lines.append(
                [
                    String(episode.sessionID.prefix(8)).padding(toLength: 10, withPad: " ", startingAt: 0),
                    r.type.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0),
                    "\(r.severity)".padding(toLength: 10, withPad: " ", startingAt: 0),
                    Self.clock(r.startMedia).padding(toLength: 9, withPad: " ", startingAt: 0),
                    end.padding(toLength: 9, withPad: " ", startingAt: 0),
                    String(format: "%.2f  ", r.peakConfidence),
                    r.state.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0),
                    delivery,
                ].joined())
        }
        return lines.joined(separator: "\n")
    }

    static func clock(_ seconds: Double) -> String {
        let s = ReportText.wholeSeconds(seconds.rounded(.down))
        return String(format: "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }
}

/// The JSON shape of one listed episode.
struct EpisodeRow: Encodable {
    var id: String
    var session: String
    var type: String
    var eventType: String
    var severity: String
    var start: Double
    var end: Double?
    var startedAt: Date
    var endedAt: Date?
    var confidence: Double
    var framesSeen: Int
    var labels: [String]
    var state: String
    var delivery: String
    var deliveryError: String?
    var attempts: Int
    var hasEvidence: Bool

    init(_ episode: StoredEpisode) {
        let r = episode.record
        id = r.id.uuidString.lowercased()
        session = episode.sessionID
        type = r.type.rawValue
        eventType = r.eventType
        severity = "\(r.severity)"
        start = r.startMedia
        end = r.endMedia
        startedAt = episode.startedAt
        endedAt = episode.endedAt
        confidence = r.peakConfidence
        framesSeen = r.framesSeen
        labels = r.labels.sorted()
        state = r.state.rawValue
        delivery = episode.delivery.state.rawValue
        deliveryError = episode.delivery.lastError
        attempts = episode.delivery.attempts
        hasEvidence = episode.hasEvidence
    }
}
