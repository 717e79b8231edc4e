import Testing
@testable import ProctorCore

/// The phone rule votes over the last three analysed frames and accumulates weak evidence over four.
@Suite struct PhoneRuleTests {
    /// Feeds one frame per second, with or without a phone, and returns the changes with their times.
    private func run(_ pattern: String, engine: inout EpisodeEngine, scores: [Double] = []) -> [TimedChange] {
        var changes: [TimedChange] = []
        for (index, mark) in pattern.enumerated() {
            let time = Double(index)
            let score = index < scores.count ? scores[index] : 0.8
            let frame = mark == "P" ? Fixture.frame(objects: [Fixture.phone(score: score)]) : Fixture.present
            changes += engine.observe(time: time, analysis: frame).map { TimedChange(time: time, change: $0) }
        }
        return changes
    }

    @Test func twoOfThreeOpensFromTheFirstSighting() throws {
        var engine = try EpisodeEngine.make()
        let changes = run("NNPNPNNN", engine: &engine)
        #expect(changes.map(\.kind) == ["opened", "closed"])
        #expect(changes[0].time == 4)
        #expect(changes[0].change.episode.start == 2)
        #expect(changes[0].change.episode.framesSeen == 2)
        #expect(changes[0].change.episode.labels == ["cell phone"])
        #expect(changes[0].change.episode.severity == .high)
        // Closes when all of the last three frames lack the phone; ends at the last sighting.
        #expect(changes[1].time == 7)
        #expect(changes[1].change.episode.end == 4)
    }

    @Test func framesWithoutObjectDetectionDoNotVote() throws {
        // The detector runs on every other frame: "P" frames see the phone, "-" frames did not check.
        var engine = try EpisodeEngine.make()
        var changes: [TimedChange] = []
        for (index, mark) in "P-N-P-N-N-N-".enumerated() {
            var frame = mark == "P" ? Fixture.frame(objects: [Fixture.phone()]) : Fixture.present
            frame.objectsChecked = mark != "-"
            changes += engine.observe(time: Double(index), analysis: frame).map { TimedChange(time: Double(index), change: $0) }
        }
        // Checked frames: P N P N N N -> opens at the second sighting (t=4), closes after three misses (t=10).
        #expect(changes.map(\.kind) == ["opened", "closed"])
        #expect(changes.first?.time == 4 && changes.first?.change.episode.start == 0)
        #expect(changes.last?.time == 10 && changes.last?.change.episode.end == 4)
    }

    @Test func oneInThreeNeverOpens() throws {
        var engine = try EpisodeEngine.make()
        #expect(run("PNNPNNPNNP", engine: &engine).isEmpty)
    }

    @Test func aFlickeringPhoneIsOneEpisode() throws {
        var engine = try EpisodeEngine.make()
        let changes = run("PPNPNPNPNNN", engine: &engine)
        #expect(changes.map(\.kind) == ["opened", "closed"])
        #expect(changes[0].time == 1)
        #expect(changes[0].change.episode.start == 0)
        #expect(changes[1].time == 10)
        #expect(changes[1].change.episode.end == 7)
        #expect(changes[1].change.episode.framesSeen == 5)
    }

    @Test func peakScoreAndEvidenceFollowTheBestFrame() throws {
        var engine = try EpisodeEngine.make()
        let changes = run("PPPP", engine: &engine, scores: [0.5, 0.62, 0.64, 0.9])
        #expect(changes.map(\.kind) == ["opened", "updated"])
        #expect(changes[0].change.episode.peakConfidence == 0.62)
        #expect(changes[0].change.episode.evidence?.time == 1)
        #expect(changes[1].time == 3)
        #expect(changes[1].change.episode.peakConfidence == 0.9)
        #expect(changes[1].change.episode.evidence?.sequence == 3)
    }

    @Test func oldVotesDoNotReopenAClosedEpisode() throws {
        var engine = try EpisodeEngine.make { rules in
            rules.phoneDetected = FrameVoteRule(openWindow: 5, openCount: 2, closeWindow: 2, closeCount: 2, severity: .high)
        }
        // Closes at t = 4; without clearing, the window PPPNN would reopen at t = 5.
        let changes = run("PPPNNNNP", engine: &engine)
        #expect(changes.map(\.kind) == ["opened", "closed"])
        #expect(changes[1].time == 4)
    }

    @Test func aOneOffWeakPhoneNeverOpens() throws {
        // A bottle scoring 0.17 once, then nothing phone-like: neither the vote nor the evidence opens.
        var engine = try EpisodeEngine.make()
        #expect(run("PNNNNN", engine: &engine, scores: [0.17]).isEmpty)
        // Nor do scattered weak sightings that never add up within the evidence window.
        var scattered = try EpisodeEngine.make()
        #expect(run("PNNPNNPNN", engine: &scattered, scores: [0.17, 0, 0, 0.13, 0, 0, 0.14]).isEmpty)
    }

    @Test func weakButConsistentPhoneOpens() throws {
        // A phone held low scores 0.12-0.14, under the per-frame cut of 0.15, check after check.
        var engine = try EpisodeEngine.make()
        let weak = [0.13, 0.12, 0.14, 0.13, 0.12, 0, 0, 0]
        let changes = run("PPPPPNNN", engine: &engine, scores: weak)
        #expect(changes.map(\.kind) == ["opened", "closed"])
        // 0.13 + 0.12 + 0.14 = 0.39 < 0.45 after three checks; the fourth makes 0.52.
        #expect(changes[0].time == 3)
        #expect(changes[0].change.episode.start == 0)
        #expect(changes[0].change.episode.framesSeen == 4)
        // Weak frames keep it open; it closes after three checks without phone evidence.
        #expect(changes[1].time == 7)
        #expect(changes[1].change.episode.end == 4)
    }

    @Test func phonesUnderTheEvidenceFloorAreIgnored() throws {
        var engine = try EpisodeEngine.make()
        let faint = engine.rules.phoneDetected.minFrameEvidence - 0.01
        #expect(run("PPPPPPPP", engine: &engine, scores: Array(repeating: faint, count: 8)).isEmpty)
    }

    @Test func evidenceCanBeTurnedOff() throws {
        var engine = try EpisodeEngine.make { rules in rules.phoneDetected.openEvidence = 0 }
        let weak = engine.rules.policy.minPhoneScore - 0.01
        #expect(run("PPPPPP", engine: &engine, scores: Array(repeating: weak, count: 6)).isEmpty)
    }
}
