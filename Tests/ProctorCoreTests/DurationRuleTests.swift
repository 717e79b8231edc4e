import Testing
@testable import ProctorCore

/// Exact open/close/escalation times of the time-debounced rules on synthetic 2 fps streams.
@Suite struct DurationRuleTests {
    @Test func faceAbsentOpensAfterThreeSecondsAndClosesAfterTwo() throws {
        var engine = try EpisodeEngine.make()
        var changes = engine.feed(from: 0, to: 10) { _ in Fixture.present }
        changes += engine.feed(from: 10, to: 20) { _ in Fixture.empty }
        changes += engine.feed(from: 20, to: 30) { _ in Fixture.present }

        let face = changes.of(.faceAbsent)
        #expect(face.map(\.kind) == ["opened", "closed"])
        // Opens at the first observation at/after 10 + 3, starting at the first absent frame.
        #expect(face[0].time == 13.0)
        #expect(face[0].change.episode.start == 10.0)
        #expect(face[0].change.episode.severity == .medium)
        #expect(face[0].change.episode.framesSeen == 7)
        #expect(face[0].change.episode.peakConfidence == 1)
        // The face is back at 20.0; closing waits 2 s from there; the end is the last absent frame.
        #expect(face[1].time == 22.0)
        #expect(face[1].change.episode.end == 19.5)
        #expect(face[1].change.episode.framesSeen == 20)
        #expect(face[0].change.episode.id == face[1].change.episode.id)
        #expect(changes.count == 2)
    }

    @Test func shortAbsenceNeverOpens() throws {
        var engine = try EpisodeEngine.make()
        var changes = engine.feed(from: 10, to: 12.5) { _ in Fixture.empty }
        changes += engine.feed(from: 12.5, to: 13) { _ in Fixture.present }
        // A single face frame restarts the count: the new run starts at 13.0 and opens at 16.0.
        changes += engine.feed(from: 13, to: 17) { _ in Fixture.empty }
        #expect(changes.map(\.kind) == ["opened"])
        #expect(changes[0].time == 16.0)
        #expect(changes[0].change.episode.start == 13.0)
    }

    @Test func briefReturnDoesNotCloseAnOpenEpisode() throws {
        var engine = try EpisodeEngine.make()
        var changes = engine.feed(from: 0, to: 10) { _ in Fixture.empty }
        // The face flickers back for 1.5 s: less than the 2 s closing hysteresis.
        changes += engine.feed(from: 10, to: 11.5) { _ in Fixture.present }
        changes += engine.feed(from: 11.5, to: 15) { _ in Fixture.empty }
        #expect(changes.map(\.kind) == ["opened"])
        let open = try #require(engine.openEpisodes.first)
        #expect(open.start == 0)
        #expect(open.lastSeen == 14.5)
    }

    @Test func faceAbsentEscalatesToHighAfterThirtySeconds() throws {
        var engine = try EpisodeEngine.make()
        let changes = engine.feed(from: 10, to: 45) { _ in Fixture.empty }
        #expect(changes.map(\.kind) == ["opened", "updated"])
        #expect(changes[1].time == 40.0)
        #expect(changes[1].change.episode.severity == .high)
        #expect(changes[1].change.episode.start == 10.0)
    }

    @Test func sparseFramesOpenAlreadyEscalated() throws {
        var engine = try EpisodeEngine.make()
        #expect(engine.observe(time: 0, analysis: Fixture.empty).isEmpty)
        let changes = engine.observe(time: 31, analysis: Fixture.empty)
        #expect(changes.count == 1)
        #expect(changes.first?.episode.severity == .high)
        #expect(changes.first?.episode.start == 0)
    }

    @Test func darkFramesAreBlockedNotFaceAbsent() throws {
        var engine = try EpisodeEngine.make()
        var changes = engine.feed(from: 0, to: 10) { _ in Fixture.present }
        changes += engine.feed(from: 10, to: 20) { _ in Fixture.dark }
        changes += engine.feed(from: 20, to: 25) { _ in Fixture.present }
        #expect(changes.of(.faceAbsent).isEmpty)
        let blocked = changes.of(.cameraBlocked)
        #expect(blocked.map(\.kind) == ["opened", "closed"])
        #expect(blocked[0].time == 13.0)
        #expect(blocked[0].change.episode.start == 10.0)
        #expect(blocked[0].change.episode.severity == .high)
        #expect(blocked[1].time == 22.0)
        #expect(blocked[1].change.episode.end == 19.5)
    }

    @Test func flatFramesAreBlocked() throws {
        var engine = try EpisodeEngine.make()
        let changes = engine.feed(from: 0, to: 4) { _ in Fixture.frame(faces: [], brightness: 140, contrast: 4) }
        #expect(changes.map(\.kind) == ["opened"])
        #expect(changes.of(.cameraBlocked).first?.time == 3.0)
    }

    @Test func frozenThumbnailsBlockTheCamera() throws {
        var engine = try EpisodeEngine.make()
        var changes: [TimedChange] = []
        for index in 0..<40 {
            let time = Double(index) / 2
            // A live sensor: every pixel jitters. From t = 10.0 the same image repeats.
            let thumbnail: [UInt8] =
                time < 10
                ? (0..<192).map { UInt8(100 + ($0 * 7 + index * 13) % 5) }
                : [UInt8](repeating: 90, count: 192)
            changes += engine.observe(time: time, analysis: Fixture.present, thumbnail: thumbnail)
                .map { TimedChange(time: time, change: $0) }
        }
        // 10.0 is the first frozen frame, but only 10.5 repeats a previous one.
        #expect(changes.map(\.kind) == ["opened"])
        #expect(changes[0].change.episode.type == .cameraBlocked)
        #expect(changes[0].change.episode.start == 10.5)
        #expect(changes[0].time == 13.5)
    }

    @Test func multipleFacesOpenAfterOneSecond() throws {
        var engine = try EpisodeEngine.make()
        let second = Fixture.face(box: BoundingBox(x: 480, y: 140, width: 100, height: 120), score: 0.88)
        var changes = engine.feed(from: 0, to: 5) { _ in Fixture.present }
        changes += engine.feed(from: 5, to: 9) { _ in Fixture.frame(faces: [Fixture.face(), second]) }
        changes += engine.feed(from: 9, to: 12) { _ in Fixture.present }
        #expect(changes.map(\.kind) == ["opened", "closed"])
        #expect(changes[0].time == 6.0)
        #expect(changes[0].change.episode.start == 5.0)
        #expect(changes[0].change.episode.peakConfidence == 0.88)
        #expect(changes[0].change.episode.labels == ["face"])
        #expect(changes[1].time == 11.0)
        #expect(changes[1].change.episode.end == 8.5)
    }

    @Test func extraPersonOpensAfterTwoSeconds() throws {
        var engine = try EpisodeEngine.make()
        let crowded = Fixture.frame(objects: [Fixture.candidateBody, Fixture.bystander])
        var changes = engine.feed(from: 0, to: 5) { _ in Fixture.frame(objects: [Fixture.candidateBody]) }
        changes += engine.feed(from: 5, to: 10) { _ in crowded }
        changes += engine.feed(from: 10, to: 13) { _ in Fixture.frame(objects: [Fixture.candidateBody]) }
        #expect(changes.map(\.kind) == ["opened", "closed"])
        #expect(changes[0].time == 7.0)
        #expect(changes[0].change.episode.start == 5.0)
        #expect(changes[0].change.episode.labels == ["person"])
        #expect(changes[0].change.episode.peakConfidence == 0.85)
        #expect(changes[1].time == 12.0)
        #expect(changes[1].change.episode.end == 9.5)
    }

    @Test func lookingAwayOpensAfterFourSecondsAndEscalatesAfterFifteen() throws {
        var engine = try EpisodeEngine.make()
        var changes = engine.feed(from: 0, to: 10) { _ in Fixture.present }
        changes += engine.feed(from: 10, to: 30) { _ in Fixture.frame(faces: [Fixture.face(yaw: 42)]) }
        changes += engine.feed(from: 30, to: 33) { _ in Fixture.present }
        #expect(changes.map(\.kind) == ["opened", "updated", "closed"])
        #expect(changes[0].time == 14.0)
        #expect(changes[0].change.episode.start == 10.0)
        #expect(changes[0].change.episode.severity == .low)
        // Degrees past the yaw limit, out of 30 for full confidence (0.4 for 42 at a 30 degree limit).
        let limit = engine.rules.policy.maxYaw
        #expect(abs(changes[0].change.episode.peakConfidence - (42 - limit) / 30) < 1e-9)
        #expect(changes[1].time == 25.0)
        #expect(changes[1].change.episode.severity == .medium)
        #expect(changes[2].time == 32.0)
        #expect(changes[2].change.episode.end == 29.5)
        #expect(changes[2].change.episode.severity == .medium)
    }

    @Test func lookingDownCountsAsLookingAway() throws {
        var engine = try EpisodeEngine.make()
        let changes = engine.feed(from: 0, to: 5) { _ in Fixture.frame(faces: [Fixture.face(pitch: -31)]) }
        #expect(changes.map(\.kind) == ["opened"])
        #expect(changes[0].time == 4.0)
    }

    @Test func betterEvidenceIsReportedOnlyWhenMaterial() throws {
        var engine = try EpisodeEngine.make()
        var changes = engine.feed(from: 0, to: 5) { _ in Fixture.frame(faces: [Fixture.face(yaw: 36)]) }
        // 36 -> 36.3 degrees: 0.01 more confidence, below the 0.05 gain, no write.
        changes += engine.feed(from: 5, to: 6) { _ in Fixture.frame(faces: [Fixture.face(yaw: 36.3)]) }
        // -> 45 degrees: reported, with the new frame as evidence.
        changes += engine.feed(from: 6, to: 6.5) { _ in Fixture.frame(faces: [Fixture.face(yaw: 45)]) }
        #expect(changes.map(\.kind) == ["opened", "updated"])
        let evidence = try #require(changes[1].change.episode.evidence)
        #expect(evidence.time == 6.0)
        #expect(evidence.sequence == 12)
        #expect(abs(evidence.confidence - (45 - engine.rules.policy.maxYaw) / 30) < 1e-9)
        #expect(evidence.analysis.faces.first?.pose?.yaw == 45)
    }

    @Test func evidenceIsTheBestFrameOfThePendingRun() throws {
        var engine = try EpisodeEngine.make()
        let changes = engine.feed(from: 0, to: 4.5) { time in
            Fixture.frame(faces: [Fixture.face(yaw: time == 1.5 ? 55 : 40)])
        }
        let opened = try #require(changes.first?.change.episode)
        #expect(opened.evidence?.time == 1.5)
        #expect(opened.evidence?.sequence == 3)
    }
}
