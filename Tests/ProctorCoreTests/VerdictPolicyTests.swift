import Testing
@testable import ProctorCore

/// Which person detections the policy calls extra.
@Suite struct VerdictPolicyTests {
    let policy = VerdictPolicy()

    @Test func theCandidatesBodyIsNotExtra() {
        let frame = Fixture.frame(objects: [Fixture.candidateBody])
        #expect(policy.extraPersons(in: frame).isEmpty)
        #expect(!policy.verdicts(for: frame).contains(.extraPerson))
    }

    @Test func aSecondPersonIsExtra() {
        let frame = Fixture.frame(objects: [Fixture.candidateBody, Fixture.bystander])
        #expect(policy.extraPersons(in: frame) == [Fixture.bystander])
        #expect(policy.verdicts(for: frame).contains(.extraPerson))
    }

    @Test func withoutAFaceTheLargestPersonIsTheCandidate() {
        let frame = Fixture.frame(faces: [], objects: [Fixture.bystander, Fixture.candidateBody])
        #expect(policy.extraPersons(in: frame) == [Fixture.bystander])
        let alone = Fixture.frame(faces: [], objects: [Fixture.bystander])
        #expect(policy.extraPersons(in: alone).isEmpty)
    }

    @Test func aPersonAwayFromTheFaceIsExtraEvenWhenAlone() {
        // The face is visible but no person box holds it: the one person box is someone else.
        let frame = Fixture.frame(objects: [Fixture.bystander])
        #expect(policy.extraPersons(in: frame) == [Fixture.bystander])
    }

    @Test func smallWeakOrNestedBoxesAreHandled() {
        let poster = Fixture.person(BoundingBox(x: 10, y: 10, width: 40, height: 60))
        let weak = Fixture.person(BoundingBox(x: 0, y: 80, width: 150, height: 400), score: policy.minPersonScore - 0.1)
        #expect(policy.extraPersons(in: Fixture.frame(objects: [Fixture.candidateBody, poster, weak])).isEmpty)
        // Two boxes around the face: the smaller is the body, the larger one is extra.
        let large = Fixture.person(BoundingBox(x: 0, y: 0, width: 640, height: 480))
        let extra = policy.extraPersons(in: Fixture.frame(objects: [large, Fixture.candidateBody]))
        #expect(extra == [large])
    }

    @Test func lowScoreFacesDoNotCountAsTheCandidate() {
        let faint = Fixture.face(score: policy.minFaceScore - 0.1)
        let frame = Fixture.frame(faces: [faint], objects: [Fixture.candidateBody, Fixture.bystander])
        #expect(policy.verdicts(for: frame).contains(.noFace))
        // No counted face: the larger box (the body) is the candidate, the bystander is extra.
        #expect(policy.extraPersons(in: frame) == [Fixture.bystander])
    }
}
