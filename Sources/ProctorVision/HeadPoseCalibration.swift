import ProctorCore

/// Maps the 5-landmark solver's yaw and pitch to the turns that produce them on real faces.
///
/// Fitted on rendered turns of known angle (scripts/evaluate.d/make_head_turns.py, the "fit" half of the
/// subjects; the "check" half validates it, figures in README "Accuracy"). YuNet's landmarks lag a real turn
/// (the solver read a 30 degree turn as 23 and 50 as 44), and a frontal face reads about 12 degrees chin-down
/// because YuNet's nose point sits lower than the generic face's nose tip.
public struct HeadPoseCalibration: Sendable {
    /// Knots (solver |yaw|, true |yaw|), increasing; linear between knots, slope 1 past the last.
    public var yawKnots: [(solved: Double, turn: Double)]
    /// True pitch = pitchGain * solver pitch + pitchOffset.
    public var pitchGain: Double
    public var pitchOffset: Double

    public init(yawKnots: [(solved: Double, turn: Double)], pitchGain: Double, pitchOffset: Double) {
        self.yawKnots = yawKnots
        self.pitchGain = pitchGain
        self.pitchOffset = pitchOffset
    }

    /// No correction: the solver's own angles.
    public static let identity = HeadPoseCalibration(yawKnots: [(0, 0)], pitchGain: 1, pitchOffset: 0)

    /// Fitted on webcam-scale rendered turns (mean solver |yaw| at true 20, 30 and 50 degrees; least-squares
    /// pitch over pure nods of -30...+20 degrees).
    public static let webcam = HeadPoseCalibration(
        yawKnots: [(0, 0), (13.9, 20), (23.3, 30), (44.3, 50)], pitchGain: 1.095, pitchOffset: 12.5)

    public func apply(_ pose: HeadPose) -> HeadPose {
        HeadPose(yaw: correctedYaw(pose.yaw), pitch: pitchGain * pose.pitch + pitchOffset, roll: pose.roll)
    }

    /// An odd, increasing map: the sign of the turn is kept, only its size is corrected.
    func correctedYaw(_ yaw: Double) -> Double {
        let size = abs(yaw)
        var previous = (solved: 0.0, turn: 0.0)
        for knot in yawKnots where knot.solved > previous.solved {
            if size <= knot.solved {
                let t = (size - previous.solved) / (knot.solved - previous.solved)
                return (previous.turn + t * (knot.turn - previous.turn)) * (yaw < 0 ? -1 : 1)
            }
            previous = knot
        }
        return (previous.turn + size - previous.solved) * (yaw < 0 ? -1 : 1)
    }
}
