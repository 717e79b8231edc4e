/// Turns one frame's observations into verdicts. Every threshold is a setting.
public struct VerdictPolicy: Sendable, Hashable, Codable {
    /// Faces below this detector score are ignored.
    public var minFaceScore: Double = 0.8
    /// Faces smaller than this fraction of the frame's shorter side are background faces, not candidates.
    public var minFaceSideFraction: Double = 0.0
    /// A phone needs at least this score.
    public var minPhoneScore: Double = 0.15
    /// A person needs at least this score to count as an extra person.
    public var minPersonScore: Double = 0.5
    /// Persons whose box is smaller than this fraction of the frame are ignored (posters, far background).
    public var minPersonAreaFraction: Double = 0.02
    /// Looking away: |yaw| above this many degrees...
    ///
    /// 25 from the measured separation on rendered turns of known angle (scripts/evaluate, head-turns set, issue
    /// 11), in calibrated degrees (HeadPoseCalibration): faces within 10 degrees of the camera read |yaw| <= 25 in
    /// 91-100 % of frames, turns of 30 degrees and more read above it in 91-92 %.
    public var maxYaw: Double = 25
    /// ...or pitch below minus this many degrees (looking down at a desk or phone).
    ///
    /// 15 from the same set: level faces read above -15 in about 91 % of frames, chin-down turns of 20-30 degrees
    /// below it in 55-68 %; a lower cut accuses level faces, and the 5-landmark pitch cannot separate more.
    public var maxPitchDown: Double = 15
    /// A frame darker than this mean luma is blocked/too dark.
    public var minBrightness: Double = 25
    /// A frame flatter than this luma standard deviation is blocked (covered lens, wall).
    public var minContrast: Double = 12

    public init() {}

    /// Whether the frame is too dark or too flat to show anything.
    public func isBlocked(_ quality: FrameQuality) -> Bool {
        quality.brightness < minBrightness || quality.contrast < minContrast
    }

    /// The faces that count: confident and not tiny.
    public func countedFaces(in frame: FrameAnalysis) -> [DetectedFace] {
        let minSide = minFaceSideFraction * Double(min(frame.width, frame.height))
        return frame.faces.filter { $0.score >= minFaceScore && min($0.box.width, $0.box.height) >= minSide }
    }

    public func phones(in frame: FrameAnalysis) -> [DetectedObject] {
        frame.objects.filter { $0.label == DetectedObject.phoneLabel && $0.score >= minPhoneScore }
    }

    /// Whether a head pose counts as looking away from the screen.
    public func isLookingAway(_ pose: HeadPose) -> Bool {
        abs(pose.yaw) > maxYaw || pose.pitch < -maxPitchDown
    }

    /// Person detections not explained by the candidate.
    ///
    /// The candidate is the largest counted face; a person box explains the candidate when it contains
    /// that face's centre (the candidate's body). With no face visible the largest person is taken to be
    /// the candidate. Every other sizeable person is extra.
    public func extraPersons(in frame: FrameAnalysis) -> [DetectedObject] {
        let frameArea = Double(frame.width * frame.height)
        var persons = frame.objects.filter {
            $0.label == DetectedObject.personLabel && $0.score >= minPersonScore
                && $0.box.area >= minPersonAreaFraction * frameArea
        }
        guard !persons.isEmpty else { return [] }
        let faces = countedFaces(in: frame)
        if let candidate = faces.max(by: { $0.box.area < $1.box.area }) {
            // The candidate's body: the smallest person box around the candidate's face centre.
            let holders = persons.indices.filter { persons[$0].box.contains(candidate.box.center) }
            if let body = holders.min(by: { persons[$0].box.area < persons[$1].box.area }) {
                persons.remove(at: body)
            }
            // Persons around the other faces are reported as multiple faces already; still extra persons.
            return persons
        }
        if let largest = persons.indices.max(by: { persons[$0].box.area < persons[$1].box.area }) {
            persons.remove(at: largest)
        }
        return persons
    }

    /// The verdicts of one frame, sorted.
    public func verdicts(for frame: FrameAnalysis) -> [Verdict] {
        var result: Set<Verdict> = []
        let blocked = isBlocked(frame.quality)
        if blocked { result.insert(.cameraBlocked) }
        let faces = countedFaces(in: frame)
        if faces.isEmpty, !blocked { result.insert(.noFace) }
        if faces.count >= 2 { result.insert(.multipleFaces) }
        if !phones(in: frame).isEmpty { result.insert(.phone) }
        if !extraPersons(in: frame).isEmpty { result.insert(.extraPerson) }
        if let candidate = faces.max(by: { $0.box.area < $1.box.area }), let pose = candidate.pose,
            isLookingAway(pose)
        {
            result.insert(.lookingAway)
        }
        return result.sorted()
    }
}
