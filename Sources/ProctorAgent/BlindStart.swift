/// Counts the frames that failed analysis before a session's first analysed one. After ``limit`` of
/// them the engine is taken to be unable to analyse at all (a broken runtime, a model that loads but
/// does not run): going on would record an exam nobody watched as one without episodes. Failures
/// after a success are one bad frame each, and never count.
struct BlindStart: Sendable, Hashable {
    let limit: Int
    private(set) var failures = 0
    private(set) var analysed = false

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    mutating func succeeded() {
        analysed = true
    }

    /// Records a failed frame; returns why nothing can be analysed once ``limit`` frames have failed
    /// before any succeeded, else nil.
    mutating func failed(_ error: String) -> String? {
        guard !analysed else { return nil }
        failures += 1
        return failures >= limit ? "no frame could be analysed: the first \(failures) all failed (last: \(error))" : nil
    }
}
