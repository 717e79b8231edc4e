import Foundation

/// A one-line progress bar on stderr with count, rate and ETA; silent when stderr is not a terminal.
final class ProgressBar {
    private let total: Int
    private let label: String
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private(set) var done = 0

    init(total: Int, label: String, enabled: Bool = Terminal.stderrIsTerminal) {
        self.total = total
        self.label = label
        self.enabled = enabled && total > 1
    }

    func advance(by count: Int = 1) {
        done += count
        guard enabled else { return }
        let now = Date()
        if now.timeIntervalSince(lastDraw) < 0.1, done < total { return }
        lastDraw = now
        draw(now: now)
    }

    func finish() {
        guard enabled else { return }
        Terminal.writeError("\r\u{1B}[2K")
    }

    private func draw(now: Date) {
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(done) / elapsed
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let stats = String(format: " %d/%d  %.1f/s  ETA %@", done, total, rate, Self.duration(remaining))
        let width = max(10, min(40, Terminal.columns - label.count - stats.count - 4))
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        Terminal.writeError("\r\u{1B}[2K\(label) \(bar)\(stats)")
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
