import Crypto
import Foundation
import ProctorCore
import ProctorImaging
import ProctorTestSupport
import ProctorVision
import Testing

@testable import ProctorReanalysis

/// The agreement policy, SHA-256 and date parsing: pure functions, no database.
struct PureRulesTests {
    let policy = AgreementPolicy()

    @Test func serviceAndMonitorNamesMapToTheSameVerdicts() {
        #expect(policy.judge(eventType: "phone_detected", verdicts: [.phone]) == .confirms)
        #expect(policy.judge(eventType: "object_detected", verdicts: [.lookingAway]) == .contradicts)
        #expect(policy.judge(eventType: "multiple_persons", verdicts: [.extraPerson]) == .confirms)
        #expect(policy.judge(eventType: "gaze_detected", verdicts: [.lookingAway]) == .confirms)
        #expect(policy.judge(eventType: "Face_Absent ", verdicts: [.cameraBlocked]) == .confirms)
        #expect(policy.judge(eventType: "camera_blocked", verdicts: []) == .contradicts)
        #expect(policy.judge(eventType: "tab_switch", verdicts: [.phone]) == .cannotJudge(.notVisual))
        #expect(policy.judge(eventType: "camera_lost", verdicts: []) == .cannotJudge(.notVisual))
        #expect(policy.judge(eventType: "audio_detected", verdicts: []) == .cannotJudge(.unknownType))
        #expect(policy.judge(eventType: nil, verdicts: [.phone]) == .cannotJudge(.eventDeleted))
        #expect(policy.judge(eventType: AgreementPolicy.studentPhoto, verdicts: []) == .confirms)
        #expect(policy.judge(eventType: AgreementPolicy.studentPhoto, verdicts: [.multipleFaces]) == .contradicts)
        // The monitor's defaults (ServiceVocabulary): object_detected is told apart by its objects.
        #expect(policy.judge(eventType: "object_detected", objects: ["person"], verdicts: [.extraPerson]) == .confirms)
        #expect(policy.judge(eventType: "object_detected", objects: ["person"], verdicts: [.phone]) == .contradicts)
        #expect(policy.judge(eventType: "object_detected", objects: ["cell phone", "person"], verdicts: [.phone]) == .confirms)
        #expect(policy.judge(eventType: "object_detected", objects: ["camera blocked"], verdicts: [.cameraBlocked]) == .confirms)
        #expect(policy.judge(eventType: "object_detected", objects: ["camera lost"], verdicts: []) == .cannotJudge(.notVisual))
        #expect(policy.judge(eventType: "multiple_faces_detected", verdicts: [.multipleFaces]) == .confirms)
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var split = SHA256()
        let text = String(repeating: "abcdefghbcdefghicdefghijdefghijk", count: 5)
        split.update(data: Data(text.utf8.prefix(7)))
        split.update(data: Data(text.utf8.dropFirst(7)))
        #expect(split.hexDigest() == SHA256.hex(text))
    }

    @Test func storedNamesCannotLeaveTheMediaRoot() {
        let media = MediaRoot(path: "/srv/media")
        #expect(media.path(for: "cheating_images/a.jpg") == "/srv/media/cheating_images/a.jpg")
        #expect(media.path(for: "../etc/passwd") == nil)
        #expect(media.path(for: "/etc/passwd") == nil)
    }
}

/// A different inference engine is a different pipeline version; OpenCV keeps the form it always had.
@Suite(.requiresModels)
struct PipelineVersionEngineTests {
    @Test func openVINOFindingsGetTheirOwnVersion() throws {
        let openCV = try PipelineVersion(factory: TestAssets.factory(), policy: VerdictPolicy())
        var factory = TestAssets.factory()
        factory.backend = InferenceBackend(engine: .openvino, threads: 1, version: "2026.4.1")
        let openVINO = try PipelineVersion(factory: factory, policy: VerdictPolicy())
        #expect(openVINO != openCV)
        #expect(openVINO.value == openCV.value + "-eopenvino2026.4.1")
        #expect(!openCV.value.contains("-e"))
    }
}
