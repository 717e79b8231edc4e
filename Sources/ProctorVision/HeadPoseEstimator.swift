import CVShim
import Foundation
import ProctorCore
import ProctorImaging

/// Estimates yaw, pitch and roll from YuNet's five landmarks with `solvePnP` and a generic 3-D face.
///
/// The camera is modelled as a pinhole with focal length equal to the image width and the principal point
/// at the centre, which is close enough for webcams and keeps the estimate independent of calibration.
public struct HeadPoseEstimator: Sendable {
    /// A generic face in millimetres, in camera axes for a subject looking straight into the lens
    /// (x to the image's right, y down, z away from the camera), origin at the nose tip.
    /// Order matches ``FaceLandmarks/points``: right eye, left eye, nose, right mouth, left mouth.
    public static let genericFace: [(Double, Double, Double)] = [
        (-31.5, -33.0, 30.0),  // subject's right eye centre (image left)
        (31.5, -33.0, 30.0),  // left eye centre
        (0, 0, 0),  // nose tip
        (-25.0, 33.0, 26.0),  // right mouth corner
        (25.0, 33.0, 26.0),  // left mouth corner
    ]

    /// Applied to every estimate; `.identity` gives the solver's own angles.
    public var calibration: HeadPoseCalibration

    public init(calibration: HeadPoseCalibration = .webcam) {
        self.calibration = calibration
    }

    /// The pose of a face with landmarks, in an image of `width` x `height`, calibrated.
    public func estimate(_ landmarks: FaceLandmarks, faceWidth: Double, imageWidth: Int, imageHeight: Int, timings: inout StageTimings) throws(VisionError)
        -> HeadPose
    {
        let object = Self.genericFace.flatMap { [$0.0, $0.1, $0.2] }
        let points = landmarks.points
        let image = points.flatMap { [$0.x, $0.y] }
        let focal = Double(max(imageWidth, imageHeight))
        let cx = Double(imageWidth) / 2, cy = Double(imageHeight) / 2
        // Start from a frontal face at the distance that makes the eyes as far apart as observed.
        let eyeDistance = max(1, hypot(landmarks.leftEye.x - landmarks.rightEye.x, landmarks.leftEye.y - landmarks.rightEye.y))
        let depth = focal * 63.0 / eyeDistance
        var rvec: [Double] = [0, 0, 0]
        var tvec: [Double] = [
            (landmarks.nose.x - cx) * depth / focal, (landmarks.nose.y - cy) * depth / focal, depth,
        ]
        var rotation = [Double](repeating: 0, count: 9)
        try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in
            try shim("head pose") { err, cap in
                pv_solve_pnp(object, image, Int32(points.count), focal, focal, cx, cy, &rvec, &tvec, &rotation, err, cap)
            }
        }
        let solved = Self.angles(rotation: rotation)
        let geometric = Self.geometricPose(landmarks, faceWidth: faceWidth)
        let pose = Self.isPlausible(solved, geometric: geometric, landmarks: landmarks, faceWidth: faceWidth) ? solved : geometric
        return calibration.apply(pose)
    }

    /// Whether the solvePnP pose can be trusted.
    ///
    /// With five landmarks a near-profile face collapses the eye pair and solvePnP can converge to a
    /// mirrored solution (yaw of the wrong sign with the head upside down). A seated candidate does not
    /// roll the head past 60 degrees, and the nose's side of the face midline fixes the sign of the yaw.
    static func isPlausible(_ pose: HeadPose, geometric: HeadPose, landmarks: FaceLandmarks, faceWidth: Double) -> Bool {
        let eyeDistance = hypot(landmarks.leftEye.x - landmarks.rightEye.x, landmarks.leftEye.y - landmarks.rightEye.y)
        if faceWidth > 0, eyeDistance / faceWidth < 0.25 { return false }  // profile: the eye pair has collapsed
        if abs(pose.roll) > 60 { return false }
        if abs(geometric.yaw) > 20, (pose.yaw > 0) != (geometric.yaw > 0) { return false }
        return true
    }

    /// A pose from where the nose sits relative to the eye-mouth midline, scaled by the face width.
    ///
    /// Cruder than solvePnP near frontal, but stable for profiles, where the landmarks no longer span
    /// a 3-D shape.
    static func geometricPose(_ l: FaceLandmarks, faceWidth: Double) -> HeadPose {
        // A face box is about 120 mm of face wide; the nose tip stands about 30 mm in front of the eyes.
        let millimetre = max(faceWidth, 1) / 120
        let midX = (l.rightEye.x + l.leftEye.x + l.rightMouth.x + l.leftMouth.x) / 4
        let midY = (l.rightEye.y + l.leftEye.y + l.rightMouth.y + l.leftMouth.y) / 4
        func angle(_ offset: Double) -> Double { asin(min(1, max(-1, offset / (30 * millimetre)))) * 180 / .pi }
        let eyeDistance = hypot(l.leftEye.x - l.rightEye.x, l.leftEye.y - l.rightEye.y)
        let roll = eyeDistance > 0.3 * max(faceWidth, 1) ? atan2(l.leftEye.y - l.rightEye.y, l.leftEye.x - l.rightEye.x) * 180 / .pi : 0
        return HeadPose(yaw: angle(l.nose.x - midX), pitch: angle(midY - l.nose.y), roll: roll)
    }

    /// Yaw, pitch and roll of a row-major rotation matrix that maps face axes to camera axes.
    static func angles(rotation r: [Double]) -> HeadPose {
        // The face looks along its -z axis; in camera axes that direction is -(third column).
        let forward = (x: -r[2], y: -r[5], z: -r[8])
        let yaw = atan2(forward.x, -forward.z)
        let pitch = atan2(-forward.y, hypot(forward.x, forward.z))
        // The face's x axis (toward its left eye) in camera axes: its slope gives the roll.
        let roll = atan2(r[3], r[0])
        let degrees = 180 / Double.pi
        return HeadPose(yaw: yaw * degrees, pitch: pitch * degrees, roll: roll * degrees)
    }
}
