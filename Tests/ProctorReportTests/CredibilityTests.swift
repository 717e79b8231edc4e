import ProctorCore
import ProctorReport
import Testing

/// The credibility score does exactly what the page says it does.
struct CredibilityTests {
    let policy = CredibilityPolicy.standard

    @Test func aCleanSessionScoresHundredAndHigh() {
        let result = policy.assess([], monitoredSeconds: 3_600)
        #expect(result.score == 100)
        #expect(result.level == .high)
    }

    @Test func weightIsTypeWeightTimesSeverityFactor() {
        #expect(policy.weight(.phoneDetected, .high) == 20)
        #expect(policy.weight(.lookingAway, .low) == 1)
        #expect(policy.weight(.faceAbsent, .medium) == 3)
    }

    @Test func durationsAreClampedBetweenFloorAndCap() {
        #expect(policy.countedSeconds(1) == 30)
        #expect(policy.countedSeconds(100) == 100)
        #expect(policy.countedSeconds(3_600) == 300)
    }

    @Test func scoreFollowsTheStatedFormula() {
        // One high phone episode of 10 s (counted 30 s) in an hour: 100 × (1 − 20 × 30 / 3600) = 83.3.
        let result = policy.assess([(.phoneDetected, .high, 10)], monitoredSeconds: 3_600)
        #expect(result.weightedSeconds == 600)
        #expect(result.score == 83.3)
        #expect(result.level == .medium)
    }

    @Test func levelsSplitAtTheThresholds() {
        // Weighted seconds chosen to land exactly on each threshold over 1,000 monitored seconds.
        let atHigh = policy.assess([(.faceAbsent, .medium, 100 / 3)], monitoredSeconds: 1_000)
        #expect(atHigh.score == 90 && atHigh.level == .high)
        let atMedium = policy.assess([(.faceAbsent, .medium, 300 / 3)], monitoredSeconds: 1_000)
        #expect(atMedium.score == 70 && atMedium.level == .medium)
        let low = policy.assess([(.phoneDetected, .high, 300)], monitoredSeconds: 1_000)
        #expect(low.score == 0 && low.level == .low)
    }

    @Test func formulaStatesEveryWeightAndThreshold() {
        let text = policy.formula.joined(separator: " ")
        for type in EpisodeType.allCases { #expect(text.contains(ReportText.typeName(type))) }
        #expect(text.contains("Phone detected 10"))
        #expect(text.contains("High ×2"))
        #expect(text.contains("at least 30 s and at most 300 s"))
        #expect(text.contains("High: score ≥ 90"))
        #expect(text.contains("Low: score < 60"))
    }
}
