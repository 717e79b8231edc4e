import Foundation
import ProctorCore
@testable import ProctorVision
import Testing

/// The sign convention, checked by projecting the generic face at known angles and solving back.
struct HeadPoseTests {
    /// Projects the generic face rotated by yaw (about the image's vertical axis) and pitch.
    func landmarks(yaw: Double, pitch: Double, width: Double = 640, height: Double = 480) -> FaceLandmarks {
        let y = yaw * .pi / 180, p = pitch * .pi / 180
        let focal = width, distance = 600.0
        let points = HeadPoseEstimator.genericFace.map { (x0, y0, z0) -> Point2D in
            // Turning to the subject's own left moves the nose (z < eyes) toward the image's right.
            let x1 = x0 * cos(y) - z0 * sin(y)
            let z1 = x0 * sin(y) + z0 * cos(y)
            // Looking up moves the nose up in the image (smaller y).
            let y2 = y0 * cos(p) + z1 * sin(p)
            let z2 = -y0 * sin(p) + z1 * cos(p)
            let depth = z2 + distance
            return Point2D(x: width / 2 + focal * x1 / depth, y: height / 2 + focal * y2 / depth)
        }
        return FaceLandmarks(rightEye: points[0], leftEye: points[1], nose: points[2], rightMouth: points[3], leftMouth: points[4])
    }

    /// The solver's own angles by default: these tests check the geometry, not the webcam calibration.
    func estimate(yaw: Double, pitch: Double, calibration: HeadPoseCalibration = .identity) throws -> HeadPose {
        var timings = StageTimings()
        let l = landmarks(yaw: yaw, pitch: pitch)
        let width = abs(l.leftEye.x - l.rightEye.x) / cos(yaw * .pi / 180) * 1.9
        return try HeadPoseEstimator(calibration: calibration).estimate(l, faceWidth: width, imageWidth: 640, imageHeight: 480, timings: &timings)
    }

    @Test(arguments: [-40.0, -20, 0, 20, 40])
    func yawSignAndSize(yaw: Double) throws {
        let pose = try estimate(yaw: yaw, pitch: 0)
        #expect(abs(pose.yaw - yaw) < 3, "yaw \(yaw) estimated as \(pose.yaw)")
        #expect(abs(pose.pitch) < 3)
    }

    @Test(arguments: [-30.0, -15, 15, 30])
    func pitchSign(pitch: Double) throws {
        let pose = try estimate(yaw: 0, pitch: pitch)
        #expect(abs(pose.pitch - pitch) < 3, "pitch \(pitch) estimated as \(pose.pitch)")
    }

    @Test func collapsedProfileFallsBackToGeometry() throws {
        // A near-profile turned to the subject's left: eyes almost coincide, the nose sticks out to the image's right.
        let l = FaceLandmarks(
            rightEye: Point2D(x: 39.6, y: 22.1), leftEye: Point2D(x: 41.1, y: 21.4), nose: Point2D(x: 45.6, y: 26.5),
            rightMouth: Point2D(x: 40.4, y: 33), leftMouth: Point2D(x: 40.7, y: 32.6))
        var timings = StageTimings()
        let pose = try HeadPoseEstimator(calibration: .identity).estimate(l, faceWidth: 22, imageWidth: 50, imageHeight: 50, timings: &timings)
        #expect(pose.yaw > 30)
    }

    @Test func calibrationKeepsTheSignAndLiftsTheLaggingTurns() {
        let calibration = HeadPoseCalibration.webcam
        // The solver's 23.3 degrees is a real 30 degree turn, either way; the map is odd and increasing.
        #expect(abs(calibration.correctedYaw(23.3) - 30) < 0.01)
        #expect(abs(calibration.correctedYaw(-23.3) + 30) < 0.01)
        #expect(calibration.correctedYaw(0) == 0)
        #expect(abs(calibration.correctedYaw(60) - 65.7) < 0.01, "slope 1 past the last knot")
        let samples = stride(from: -80.0, through: 80, by: 0.5).map(calibration.correctedYaw)
        #expect(zip(samples, samples.dropFirst()).allSatisfy { $0 < $1 })
        // A frontal face's solver pitch of about -12 is level.
        #expect(abs(calibration.apply(HeadPose(yaw: 0, pitch: -11.4, roll: 0)).pitch) < 0.1)
    }
}
