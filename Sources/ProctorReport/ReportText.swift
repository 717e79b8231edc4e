import ProctorCore

/// The words and number formats a reviewer reads, shared by the page and the formula text.
public enum ReportText {
    /// Types in the order the page lists them: the most damning first.
    public static let typeOrder: [EpisodeType] = [
        .differentPerson, .phoneDetected, .extraPerson, .multipleFaces, .cameraBlocked, .faceAbsent, .lookingAway, .cameraLost,
    ]

    public static func typeName(_ type: EpisodeType) -> String {
        switch type {
        case .faceAbsent: "Face absent"
        case .cameraBlocked: "Camera blocked"
        case .multipleFaces: "Multiple faces"
        case .extraPerson: "Extra person"
        case .phoneDetected: "Phone detected"
        case .lookingAway: "Looking away"
        case .cameraLost: "Camera lost"
        case .differentPerson: "Different person"
        }
    }

    public static func severityName(_ severity: EpisodeSeverity) -> String {
        switch severity {
        case .high: "High"
        case .medium: "Medium"
        case .low: "Low"
        }
    }

    /// A shape per severity, so severity never depends on color alone (and survives grayscale print).
    public static func severityIcon(_ severity: EpisodeSeverity) -> String {
        switch severity {
        case .high: "▲"
        case .medium: "◆"
        case .low: "●"
        }
    }

    public static func levelName(_ level: Credibility.Level) -> String {
        switch level {
        case .high: "High"
        case .medium: "Medium"
        case .low: "Low"
        }
    }

    /// Media time as H:MM:SS (M:SS under an hour is ambiguous next to durations, so hours always show).
    public static func clock(_ seconds: Double) -> String {
        let total = wholeSeconds(seconds.rounded(.down))
        let minutes = String(total / 60 % 60), secs = String(total % 60)
        return "\(total / 3600):\(pad(minutes)):\(pad(secs))"
    }

    /// `seconds` as an Int, 0 for NaN and at most a century: a hand-edited outbox may hold 1e308, which
    /// `Int(_:)` traps on.
    public static func wholeSeconds(_ seconds: Double) -> Int {
        seconds.isNaN ? 0 : Int(min(max(0, seconds), 3_155_760_000))
    }

    /// A duration for people: "45 s", "3 m 05 s", "1 h 02 m".
    public static func duration(_ seconds: Double) -> String {
        let rounded = max(0, seconds)
        if rounded < 10 { return "\(String(format: "%.1f", rounded)) s" }
        let total = wholeSeconds(rounded.rounded())
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) m \(pad(String(total % 60))) s" }
        return "\(total / 3600) h \(pad(String(total / 60 % 60))) m"
    }

    /// A 0...1 value as a whole percentage.
    public static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded()))%" }

    /// A whole number with thousands separators: "10,620".
    public static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    private static func pad(_ digits: String) -> String { digits.count < 2 ? "0" + digits : digits }
}
