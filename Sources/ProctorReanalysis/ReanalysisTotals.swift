/// What one worker did in one run: counts by judgement and by problem, and where the time went.
public struct ReanalysisTotals: Sendable, Hashable {
    /// Queue rows this worker claimed and finished.
    public var processed = 0
    /// Findings this worker added (the rest already had one for this version: a reclaimed lease).
    public var inserted = 0
    public var confirmed = 0
    public var contradicted = 0
    public var unjudged = 0
    public var problems: [Judgement.Problem: Int] = [:]
    /// Claimed rows given back because the media root was not usable.
    public var mediaRootUnavailable = 0
    /// Claimed images handed back unjudged because the analysis itself failed.
    public var givenBack = 0
    public var batches = 0
    /// Wall seconds inside the analyser and inside the database (claims and commits).
    public var analysisSeconds = 0.0
    public var databaseSeconds = 0.0
    /// Why the run ended early, when it did.
    public var stoppedBy: String?

    public init() {}

    mutating func count(_ judgement: Judgement) {
        processed += 1
        switch judgement {
        case .confirms: confirmed += 1
        case .contradicts: contradicted += 1
        case .cannotJudge(let problem):
            unjudged += 1
            problems[problem, default: 0] += 1
        }
    }

    /// One line for logs and the end of a run.
    public var line: String {
        let problemText = Judgement.Problem.allCases.compactMap { problem in
            problems[problem].map { "\(problem.rawValue) \($0)" }
        }.joined(separator: ", ")
        var text = "\(processed) images: \(confirmed) confirmed, \(contradicted) contradicted, \(unjudged) unjudged"
        if !problemText.isEmpty { text += " (\(problemText))" }
        if mediaRootUnavailable > 0 { text += "; \(mediaRootUnavailable) given back: media root not usable" }
        if givenBack > 0 { text += "; \(givenBack) given back: analysis failed" }
        return text
    }
}
