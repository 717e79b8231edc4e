import Foundation
import Testing
@testable import ProctorCore

/// The `different_person` rule on synthetic 2 fps streams: faces carry a measured similarity to the
/// reference photo, and the identity policy decides what a frame shows.
@Suite struct IdentityRuleTests {
    static func face(similarity: Double?, box: BoundingBox = Fixture.candidateBox, yaw: Double = 0) -> DetectedFace {
        let b = box
        let landmarks = FaceLandmarks(
            rightEye: Point2D(x: b.x + 0.3 * b.width, y: b.y + 0.4 * b.height), leftEye: Point2D(x: b.x + 0.7 * b.width, y: b.y + 0.4 * b.height),
            nose: Point2D(x: b.x + 0.5 * b.width, y: b.y + 0.6 * b.height),
            rightMouth: Point2D(x: b.x + 0.35 * b.width, y: b.y + 0.8 * b.height),
            leftMouth: Point2D(x: b.x + 0.65 * b.width, y: b.y + 0.8 * b.height))
        var face = DetectedFace(box: box, score: 0.95, landmarks: landmarks, pose: HeadPose(yaw: yaw, pitch: 0, roll: 0))
        face.referenceSimilarity = similarity
        return face
    }

    static let studentFrame = Fixture.frame(faces: [face(similarity: 0.71)])
    static let strangerFrame = Fixture.frame(faces: [face(similarity: 0.05)])

    @Test func aThenBThenAOpensOneEpisodeDuringB() throws {
        var engine = try EpisodeEngine.make()
        var changes = engine.feed(from: 0, to: 10) { _ in Self.studentFrame }
        changes += engine.feed(from: 10, to: 20) { _ in Self.strangerFrame }
        changes += engine.feed(from: 20, to: 30) { _ in Self.studentFrame }
        let episodes = changes.of(.differentPerson)
        #expect(episodes.map(\.kind) == ["opened", "closed"])
        #expect(episodes[0].time == 13.0 && episodes[0].change.episode.start == 10.0)
        #expect(episodes[0].change.episode.severity == .high)
        // Closes after 2 s of matching; the end is the last frame that showed the stranger.
        #expect(episodes[1].time == 22.0 && episodes[1].change.episode.end == 19.5)
        #expect(changes.count == 2, "no other rule fires: \(changes.map { $0.change.episode.type })")
    }

    @Test func framesThatCannotTellNeitherOpenNorCancel() throws {
        var engine = try EpisodeEngine.make()
        // Every other frame unmeasured (the monitor embeds every Nth frame), and a turned head in the middle.
        var changes = engine.feed(from: 0, to: 6) { time in
            if time == 2 { return Fixture.frame(faces: [Self.face(similarity: 0.6, yaw: 60)]) }  // unusable: cannot tell
            return Int(time * 2) % 2 == 0 ? Self.strangerFrame : Fixture.frame(faces: [Self.face(similarity: nil)])
        }
        #expect(changes.of(.differentPerson).map(\.kind) == ["opened"])
        #expect(changes.of(.differentPerson).first?.time == 3.0)
        // Only unusable frames: small, turned or unmeasured faces never close or extend the episode either.
        changes = engine.feed(from: 6, to: 20) { _ in Fixture.frame(faces: [Self.face(similarity: 0.0, box: BoundingBox(x: 300, y: 200, width: 30, height: 36))]) }
        #expect(changes.of(.differentPerson).isEmpty)
        #expect(engine.openEpisodes.first { $0.type == .differentPerson }?.lastSeen == 5.0)
    }

    @Test func unusableFacesAreNeverADifferentPerson() throws {
        var engine = try EpisodeEngine.make()
        let changes = engine.feed(from: 0, to: 20) { time in
            let turned = Self.face(similarity: 0.02, yaw: 50)
            let tiny = Self.face(similarity: 0.02, box: BoundingBox(x: 300, y: 200, width: 40, height: 48))
            return Fixture.frame(faces: [Int(time) % 2 == 0 ? turned : tiny])
        }
        #expect(changes.of(.differentPerson).isEmpty)
    }

    @Test func aSecondFaceThatMatchesBetterIsNotADifferentPerson() throws {
        var engine = try EpisodeEngine.make()
        // A stranger leans in closer than the student: the largest face does not match, a smaller one does.
        let close = Self.face(similarity: 0.1, box: BoundingBox(x: 200, y: 60, width: 220, height: 260))
        let student = Self.face(similarity: 0.66, box: BoundingBox(x: 450, y: 200, width: 110, height: 130))
        let changes = engine.feed(from: 0, to: 10) { _ in Fixture.frame(faces: [close, student]) }
        #expect(changes.of(.differentPerson).isEmpty)
        #expect(changes.of(.multipleFaces).map(\.kind) == ["opened"])
        // Two strangers: the better one still does not match, so the candidate is someone else.
        let other = Self.face(similarity: 0.2, box: student.box)
        let strangers = engine.feed(from: 10, to: 20) { _ in Fixture.frame(faces: [close, other]) }
        #expect(strangers.of(.differentPerson).map(\.kind) == ["opened"])
    }

    @Test func withoutAReferenceNothingIsJudged() throws {
        var engine = try EpisodeEngine.make()
        let changes = engine.feed(from: 0, to: 20) { _ in Fixture.frame(faces: [Self.face(similarity: nil)]) }
        #expect(changes.isEmpty)
    }

    @Test func configurationKeepsDefaultsAndRejectsNonsense() throws {
        let rules = try JSONDecoder().decode(EpisodeRules.self, from: Data(#"{"identity": {"matchThreshold": 0.5}}"#.utf8))
        #expect(rules.identity.matchThreshold == 0.5 && rules.identity.minFaceSide == IdentityPolicy().minFaceSide)
        #expect(rules.differentPerson == EpisodeRules().differentPerson)
        var bad = EpisodeRules()
        bad.identity.matchThreshold = 3
        #expect(throws: EpisodeRulesError.self) { try bad.validate() }
        bad = EpisodeRules()
        bad.differentPerson.openAfter = -.infinity
        #expect(throws: EpisodeRulesError.self) { try bad.validate() }
    }
}
