import CVShim
import Foundation
import ProctorCore

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

    public init() {}

    /// The pose of a face with landmarks, in an image of `width` x `height`.
    public func estimate(_ landmarks: FaceLandmarks, imageWidth: Int, imageHeight: Int, timings: inout StageTimings) throws(VisionError)
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
        return Self.angles(rotation: rotation)
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
