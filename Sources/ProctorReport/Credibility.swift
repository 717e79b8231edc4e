import ProctorCore

/// How far a reviewer can trust that the exam was taken as required, with the score behind it.
public struct Credibility: Sendable, Hashable, Codable {
    public enum Level: String, Sendable, Hashable, Codable, CaseIterable {
        case high
        case medium
        case low
    }

    public var level: Level
    /// 0...100; 100 means nothing was flagged.
    public var score: Double
    /// Σ weight × counted seconds over all episodes, before dividing by the monitored time.
    public var weightedSeconds: Double
    /// The formula and its constants in words, as printed on the page.
    public var formula: [String]
}

/// The constants of the credibility score.
///
/// score = 100 × (1 − min(1, Σ typeWeight × severityFactor × clamp(duration, minimumSeconds, capSeconds) / monitored)).
/// Clamping is what keeps the score honest both ways: a one-second phone sighting still costs a
/// noticeable amount (the floor), and one long absence cannot outweigh everything else (the cap).
/// Camera-lost time is already excluded from the monitored time, and also costs at its own weight,
/// because unmonitored time is time nobody can vouch for.
public struct CredibilityPolicy: Sendable, Hashable {
    public var typeWeights: [EpisodeType: Double]
    public var severityFactors: [EpisodeSeverity: Double]
    /// Every episode counts for at least this many seconds.
    public var minimumSeconds: Double
    /// No episode counts for more than this many seconds.
    public var capSeconds: Double
    /// Scores at or above this are High.
    public var highThreshold: Double
    /// Scores at or above this (and below ``highThreshold``) are Medium; the rest Low.
    public var mediumThreshold: Double

    public init(
        typeWeights: [EpisodeType: Double], severityFactors: [EpisodeSeverity: Double], minimumSeconds: Double,
        capSeconds: Double, highThreshold: Double, mediumThreshold: Double
    ) {
        self.typeWeights = typeWeights
        self.severityFactors = severityFactors
        self.minimumSeconds = minimumSeconds
        self.capSeconds = capSeconds
        self.highThreshold = highThreshold
        self.mediumThreshold = mediumThreshold
    }

    /// The policy the page states by default.
    public static let standard = CredibilityPolicy(
        typeWeights: [
            .differentPerson: 10, .phoneDetected: 10, .extraPerson: 8, .multipleFaces: 6, .cameraBlocked: 5, .faceAbsent: 3,
            .cameraLost: 2, .lookingAway: 2,
        ],
        severityFactors: [.low: 0.5, .medium: 1, .high: 2],
        minimumSeconds: 30, capSeconds: 300, highThreshold: 90, mediumThreshold: 60)

    /// The weight of one episode of `type` at `severity` (a type without a weight counts nothing).
    public func weight(_ type: EpisodeType, _ severity: EpisodeSeverity) -> Double {
        (typeWeights[type] ?? 0) * (severityFactors[severity] ?? 1)
    }

    /// The seconds an episode of `duration` counts for.
    public func countedSeconds(_ duration: Double) -> Double {
        min(max(duration, minimumSeconds), capSeconds)
    }

    /// The score and level of a session with these episodes over `monitoredSeconds`.
    public func assess(
        _ episodes: [(type: EpisodeType, severity: EpisodeSeverity, duration: Double)], monitoredSeconds: Double
    ) -> Credibility {
        let weighted = episodes.reduce(0) { $0 + weight($1.type, $1.severity) * countedSeconds($1.duration) }
        // A session shorter than a second still gets a finite score.
        let fraction = weighted / max(monitoredSeconds, 1)
        let score = ((100 * (1 - min(1, fraction))) * 10).rounded() / 10
        let level: Credibility.Level =
            score >= highThreshold ? .high : score >= mediumThreshold ? .medium : .low
        return Credibility(level: level, score: score, weightedSeconds: weighted, formula: formula)
    }

    /// The formula in words, with this policy's numbers.
    public var formula: [String] {
        func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
        let types = ReportText.typeOrder.map { "\(ReportText.typeName($0)) \(number(typeWeights[$0] ?? 0))" }
        let severities = EpisodeSeverity.allCases.reversed().map {
            "\(ReportText.severityName($0)) ×\(number(severityFactors[$0] ?? 1))"
        }
        return [
            "score = 100 × (1 − min(1, Σ weight × counted seconds ÷ monitored seconds))",
            "weight = type weight × severity factor. Type weights: \(types.joined(separator: ", ")). "
                + "Severity factors: \(severities.joined(separator: ", ")).",
            "counted seconds = the episode's duration, at least \(number(minimumSeconds)) s and at most "
                + "\(number(capSeconds)) s. Monitored seconds = session length minus camera-lost time.",
            "High: score ≥ \(number(highThreshold)). Medium: \(number(mediumThreshold)) ≤ score < "
                + "\(number(highThreshold)). Low: score < \(number(mediumThreshold)).",
        ]
    }
}
