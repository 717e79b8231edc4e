import ProctorCore
@testable import ProctorVision
import Testing

/// Head turns against the looking-away default, on landmarks projected from the generic face at known angles
/// (calibrated as the pipeline does).
struct LookingAwayTests {
    let policy = VerdictPolicy()
    let projection = HeadPoseTests()

    @Test(arguments: [-30.0, 30])
    func aThirtyDegreeTurnIsLookingAway(yaw: Double) throws {
        let pose = try projection.estimate(yaw: yaw, pitch: 0, calibration: .webcam)
        #expect(policy.isLookingAway(pose), "yaw \(yaw) estimated as \(pose.yaw)")
        // Not at the threshold any more: a few degrees of landmark jitter do not flip it.
        #expect(abs(pose.yaw) - policy.maxYaw >= 2)
    }

    @Test(arguments: [-12.0, 0, 12])
    func aFrontalFaceIsNot(yaw: Double) throws {
        let pose = try projection.estimate(yaw: yaw, pitch: 0, calibration: .webcam)
        #expect(!policy.isLookingAway(pose), "yaw \(yaw) estimated as \(pose.yaw)")
    }
}
