import Foundation
import ProctorCore
import ProctorImaging
import ProctorTestSupport
import ProctorVision
import Testing

/// Turns of known angle on webcam frames rendered here from a frontal fixture photo by
/// scripts/evaluate.d/make_head_turns.py (the generator of the evaluation's head-turn set; Python with numpy
/// and Pillow, which scripts/setup installs), then read by the real pipeline and judged with the defaults.
@Suite(.requiresModels)
struct HeadTurnTests {
    let policy = VerdictPolicy()
    /// A frontal portrait among the held-out subjects of the head-turn set.
    static let photo = "deepface/img3.jpg"

    let pipeline: VisionPipeline
    /// The photo's five landmarks, which place the head model on it.
    let landmarks: [[Double]]

    init() throws {
        OpenCVRuntime.quietLogs()
        pipeline = try TestAssets.factory().makePipeline()
        let source = try pipeline.analyze(path: TestAssets.photo(Self.photo)).0
        let face = try #require(VerdictPolicy().countedFaces(in: source).max { $0.box.area < $1.box.area })
        landmarks = try #require(face.landmarks).points.map { [$0.x, $0.y] }
    }

    /// The frames of `photo` turned by each (yaw, pitch), analysed: the candidate's face and the verdicts. The seed
    /// places the face in the frame (make_head_turns.py draws size and position per angle).
    func turned(_ angles: [(yaw: Double, pitch: Double)], seed: Int = 11) throws -> [(face: DetectedFace, verdicts: [Verdict])] {
        let directory = try TemporaryDirectory(prefix: "head-turns")
        let subject: [String: Any] = ["name": "fixture", "photo": TestAssets.photo(Self.photo), "landmarks": landmarks]
        let subjects = try JSONSerialization.data(withJSONObject: subject)
        try directory.write("subjects.jsonl", Array(subjects) + Array("\n".utf8))
        let spec = angles.map { "\($0.yaw):\($0.pitch)" }.joined(separator: ",")
        let result = try CommandRunner.run(
            "/usr/bin/env",
            ["python3", "scripts/evaluate.d/make_head_turns.py", directory.path("subjects.jsonl"), directory.path("out"), "--angles", spec, "--seed", "\(seed)"])
        try #require(result.status == 0, "make_head_turns.py failed: \(result.stderr)")
        let rows = try String(contentsOfFile: directory.path("out/labels.csv"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",") }
        try #require(rows.count == angles.count)
        return try rows.map { row in
            let frame = try pipeline.analyze(path: directory.path("out/" + String(row[0]))).0
            let face = try #require(policy.countedFaces(in: frame).max { $0.box.area < $1.box.area }, "no face in \(row[0])")
            return (face, policy.verdicts(for: frame))
        }
    }

    @Test func aThirtyDegreeTurnEitherWayReadsThirtyAndIsLookingAway() throws {
        let frames = try turned([(30, 0), (-30, 0)])
        for (frame, truth) in zip(frames, [30.0, -30]) {
            let pose = try #require(frame.face.pose)
            // Before the calibration the solver read such a turn as 20-23 degrees, under the 25 degree cut.
            #expect(abs(pose.yaw - truth) <= 8, "a \(truth) degree turn read as \(pose.yaw)")
            #expect(frame.verdicts.contains(.lookingAway), "a \(truth) degree turn (read \(pose.yaw)) is not looking away")
        }
    }

    @Test func theSameFaceFacingTheCameraIsNotLookingAway() throws {
        let frame = try #require(try turned([(0, 0)]).first)
        let pose = try #require(frame.face.pose)
        #expect(abs(pose.yaw) <= 12 && abs(pose.pitch) <= 12, "frontal read as yaw \(pose.yaw), pitch \(pose.pitch)")
        #expect(!frame.verdicts.contains(.lookingAway))
    }

    @Test func aChinDownReadingPoseIsMostlyLookingAway() throws {
        // The head tipped 30 degrees down, as over a book on the desk, at eight placements in the frame. The
        // 5-landmark pitch is noisy (the head-turn set judges 55-68 % of such frames away), so the test pins
        // the rate, not every frame: at least half are looking away, and none of the same placements facing
        // the camera is. Deterministic: the placements come from fixed seeds.
        var down = 0, level = 0
        for seed in 1...8 {
            let frames = try turned([(0, 0), (0, -30)], seed: seed)
            let (facing, chinDown) = (frames[0], frames[1])
            level += facing.verdicts.contains(.lookingAway) ? 0 : 1
            down += chinDown.verdicts.contains(.lookingAway) ? 1 : 0
            let (a, b) = (try #require(facing.face.pose), try #require(chinDown.face.pose))
            #expect(b.pitch < a.pitch, "seed \(seed): chin down read \(b.pitch), facing \(a.pitch)")
        }
        #expect(level == 8)
        #expect(down >= 4, "\(down) of 8 chin-down frames judged looking away")
    }
}
