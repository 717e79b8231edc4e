import ProctorCore

/// When and how the face stage looks a second time.
///
/// The first pass (the detector's working copy, 400 px) finds the usual webcam face at full confidence.
/// A frame leaves doubt when it shows no confident face, or fewer confident faces than sizeable persons;
/// only then a second pass runs on a larger copy (640 px), and the two passes' faces are merged: a face
/// both passes find is one face whose score is the noisy-OR of the two (two independent looks agreeing),
/// so a face cut by the frame edge or half hidden that scores 0.6 twice counts, while a 0.6 blob only one
/// pass sees does not. Chosen on the webcam-like dev set (scripts/evaluate): the 640 px pass beat an
/// edge-padded pass, and a plain 640 px first pass lost more (false faces in clutter, close-ups) than it won.
public struct FaceSearchSettings: Sendable, Hashable, Codable {
    /// Whether the second pass may run at all.
    public var enabled = true
    /// A face at least this sure in the first pass leaves no doubt (the verdict policy's face score).
    public var confidentScore = 0.8
    /// The lowest score either pass reports; candidates below it are never seen. Two agreeing looks at
    /// 0.553 make 0.8, so anything lower could never count.
    public var candidateScore = 0.55
    /// Long side of the second pass's copy.
    public var secondPassSide = 640
    /// Faces from the two passes overlapping more than this are the same face (YuNet's own NMS IoU).
    public var sameFaceIoU = 0.3
    /// Persons that count when comparing with faces (the verdict policy's extra-person limits).
    public var minPersonScore = 0.5
    public var minPersonAreaFraction = 0.02

    public init() {}

    /// Whether the first pass leaves doubt: no confident face, or fewer than the persons in view.
    func leavesDoubt(faces: [DetectedFace], persons: Int) -> Bool {
        let confident = faces.filter { $0.score >= confidentScore }.count
        return confident == 0 || confident < persons
    }

    /// Sizeable, confident person detections in a frame of `width` x `height`.
    func personCount(in objects: [DetectedObject], width: Int, height: Int) -> Int {
        let minArea = minPersonAreaFraction * Double(width * height)
        return objects.filter { $0.label == DetectedObject.personLabel && $0.score >= minPersonScore && $0.box.area >= minArea }
            .count
    }

    /// The two passes' faces as one list, best first: matched faces fused, unmatched ones kept as they are.
    func merge(_ first: [DetectedFace], _ second: [DetectedFace]) -> [DetectedFace] {
        var merged: [DetectedFace] = []
        var usedSecond = Set<Int>()
        for face in first {
            let match = second.indices.filter { !usedSecond.contains($0) && second[$0].box.iou(face.box) > sameFaceIoU }
                .max { second[$0].box.iou(face.box) < second[$1].box.iou(face.box) }
            guard let match else {
                merged.append(face)
                continue
            }
            usedSecond.insert(match)
            let other = second[match]
            // Geometry from the larger copy (finer landmarks), confidence from both looks.
            var fused = other.score >= face.score ? other : face
            fused.score = 1 - (1 - face.score) * (1 - other.score)
            merged.append(fused)
        }
        merged += second.indices.filter { !usedSecond.contains($0) }.map { second[$0] }
        // Greedy NMS across passes: unmatched leftovers may still overlap a fused face.
        let order = merged.indices.sorted { merged[$0].score > merged[$1].score }
        var kept: [DetectedFace] = []
        for index in order where !kept.contains(where: { $0.box.iou(merged[index].box) > sameFaceIoU }) {
            kept.append(merged[index])
        }
        return kept
    }
}

/// The face stage: a first pass, and a second, larger pass only when the first leaves doubt.
///
/// Not thread-safe (holds detectors): one per pipeline.
public final class FaceSearch {
    public let settings: FaceSearchSettings
    /// Faces below this (fused) score are not reported.
    public let reportScore: Double
    private let first: any FaceDetecting
    private let second: (any FaceDetecting)?
    /// Frames on which the second pass ran (for benchmarks and logs).
    public private(set) var secondPasses = 0

    /// `first` and `second` must report candidates down to `settings.candidateScore`.
    public init(first: any FaceDetecting, second: (any FaceDetecting)?, settings: FaceSearchSettings, reportScore: Double) {
        self.first = first
        self.second = settings.enabled ? second : nil
        self.settings = settings
        self.reportScore = reportScore
    }

    public var providesLandmarks: Bool { first.providesLandmarks }

    /// Faces in `image`; `objects` (may be empty) are the frame's object detections, whose persons raise
    /// doubt when they outnumber the confident faces.
    public func detect(in image: Image, objects: [DetectedObject], timings: inout StageTimings) throws(VisionError) -> [DetectedFace] {
        var faces = try first.detect(in: image, timings: &timings)
        let persons = settings.personCount(in: objects, width: image.width, height: image.height)
        if let second, settings.leavesDoubt(faces: faces, persons: persons) {
            secondPasses += 1
            let more = try second.detect(in: image, timings: &timings)
            faces = settings.merge(faces, more)
        }
        return faces.filter { $0.score >= reportScore }
    }
}
