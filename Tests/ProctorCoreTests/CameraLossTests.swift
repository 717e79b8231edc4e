import Testing
@testable import ProctorCore

/// Capture events, finishing a session, and input the engine must refuse.
@Suite struct CameraLossTests {
    @Test func lostOpensAtOnceAndClosesAfterFramesFlowAgain() throws {
        var engine = try EpisodeEngine.make()
        _ = engine.feed(from: 0, to: 5) { _ in Fixture.present }
        let lost = engine.cameraLost(time: 5.2)
        #expect(lost.count == 1)
        #expect(lost.first.map { if case .opened = $0 { true } else { false } } == true)
        #expect(lost.first?.episode.type == .cameraLost)
        #expect(lost.first?.episode.severity == .high)
        #expect(engine.cameraRestored(time: 8).isEmpty)
        let changes = engine.feed(from: 8, to: 11) { _ in Fixture.present }
        #expect(changes.map(\.kind) == ["closed"])
        #expect(changes[0].time == 10)
        #expect(changes[0].change.episode.start == 5.2)
        #expect(changes[0].change.episode.end == 8)
        #expect(changes[0].change.episode.framesSeen == 0)
    }

    @Test func flappingConnectionIsOneEpisode() throws {
        var engine = try EpisodeEngine.make()
        var changes = engine.cameraLost(time: 5)
        changes += engine.cameraRestored(time: 8)
        _ = engine.feed(from: 8, to: 9) { _ in Fixture.present }
        changes += engine.cameraLost(time: 9)
        changes += engine.cameraRestored(time: 12)
        #expect(changes.count == 1)
        let closing = engine.feed(from: 12, to: 15) { _ in Fixture.present }
        #expect(closing.map(\.kind) == ["closed"])
        #expect(closing[0].time == 14)
        #expect(closing[0].change.episode.start == 5)
        #expect(closing[0].change.episode.end == 12)
    }

    @Test func framesWithoutARestoreEventCloseTheLoss() throws {
        var engine = try EpisodeEngine.make()
        _ = engine.cameraLost(time: 1)
        let changes = engine.feed(from: 4, to: 7) { _ in Fixture.present }
        #expect(changes.map(\.kind) == ["closed"])
        #expect(changes[0].time == 6)
        #expect(changes[0].change.episode.end == 4)
    }

    @Test func losingTheCameraClosesFrameEpisodesAndDropsPendingRuns() throws {
        var engine = try EpisodeEngine.make()
        var changes = engine.feed(from: 0, to: 6) { time in
            // Face gone from 0 (opens at 3); a phone from 4.5 that has not yet reached a vote.
            Fixture.frame(faces: [], objects: time >= 5.5 ? [Fixture.phone()] : [])
        }
        #expect(changes.map(\.kind) == ["opened"])
        let lost = engine.cameraLost(time: 7)
        #expect(lost.map { TimedChange(time: 7, change: $0).kind } == ["closed", "opened"])
        #expect(lost[0].episode.type == .faceAbsent)
        #expect(lost[0].episode.end == 5.5)
        #expect(lost[1].episode.type == .cameraLost)
        // After the restore, absence counts from scratch.
        changes = engine.cameraRestored(time: 9).map { TimedChange(time: 9, change: $0) }
        changes += engine.feed(from: 9, to: 13) { _ in Fixture.empty }
        #expect(changes.map(\.kind) == ["closed", "opened"])
        #expect(changes[0].time == 11)
        #expect(changes[1].time == 12)
        #expect(changes[1].change.episode.start == 9)
    }

    @Test func finishClosesEverythingOpen() throws {
        var engine = try EpisodeEngine.make()
        _ = engine.feed(from: 0, to: 6) { _ in Fixture.frame(faces: [], objects: [Fixture.phone()]) }
        _ = engine.cameraLost(time: 6.5)
        #expect(engine.openEpisodes.map(\.type) == [.cameraLost])
        var other = try EpisodeEngine.make()
        _ = other.feed(from: 0, to: 6) { _ in Fixture.frame(faces: [], objects: [Fixture.phone()]) }
        #expect(other.openEpisodes.map(\.type) == [.faceAbsent, .phoneDetected])
        // A pending looking-away run (2 s of 4) is dropped, not opened.
        let closed = other.finish(time: 7)
        #expect(closed.map(\.episode.type) == [.faceAbsent, .phoneDetected])
        #expect(closed.allSatisfy { !$0.episode.isOpen })
        #expect(closed.map(\.episode.end) == [5.5, 5.5])
        #expect(other.openEpisodes.isEmpty)
        #expect(other.observe(time: 8, analysis: Fixture.empty).isEmpty)
        #expect(other.finish(time: 9).isEmpty)
        #expect(other.ignoredInputs == 2)

        let lostClosed = engine.finish(time: 10)
        #expect(lostClosed.map(\.episode.type) == [.cameraLost])
        #expect(lostClosed.first?.episode.end == 10)
    }

    @Test func outOfOrderAndNonFiniteInputIsIgnored() throws {
        var engine = try EpisodeEngine.make()
        _ = engine.feed(from: 0, to: 2) { _ in Fixture.empty }
        #expect(engine.observe(time: 1, analysis: Fixture.empty).isEmpty)
        #expect(engine.observe(time: .nan, analysis: Fixture.empty).isEmpty)
        #expect(engine.cameraLost(time: .infinity).isEmpty)
        #expect(engine.ignoredInputs == 3)
        let changes = engine.feed(from: 2, to: 3.5) { _ in Fixture.empty }
        #expect(changes.map(\.kind) == ["opened"])
        #expect(changes[0].time == 3)
    }

    @Test func sameInputsGiveTheSameOutputs() throws {
        func session() throws -> [EpisodeChange] {
            var engine = try EpisodeEngine.make()
            var changes = engine.feed(from: 0, to: 20) { time in
                let faces = time.truncatingRemainder(dividingBy: 7) < 4 ? [Fixture.face(yaw: time * 3)] : []
                let objects = time.truncatingRemainder(dividingBy: 5) < 2 ? [Fixture.phone(score: 0.4 + time / 40)] : []
                return Fixture.frame(faces: faces, objects: objects)
            }.map(\.change)
            changes += engine.cameraLost(time: 21)
            changes += engine.finish(time: 22)
            return changes
        }
        let first = try session()
        #expect(!first.isEmpty)
        #expect(try session() == first)
    }
}
