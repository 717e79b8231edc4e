import ProctorCore
import ProctorImaging

/// When and how the face stage looks a second time.
///
/// The first pass (the detector's working copy, 400 px) finds the usual webcam face at full confidence.
/// A frame leaves doubt when it shows no confident face, or fewer confident faces than sizeable persons;
/// only then a second pass runs on a larger copy (640 px; with a face already found, only on the head
/// regions of the persons without one), and confirms the first pass's weak faces: a face both passes
/// find is one face whose score is the noisy-OR of the two (two looks at different scales agreeing), so a
/// face cut by the frame edge or half hidden that scores 0.6 twice counts, while a 0.6 blob only one
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
    /// Long side of the second pass's copy; it also sets how much closer the second pass looks than the
    /// first (640 / 400 = 1.6x): images the first pass saw at full size are enlarged by that much, so the
    /// second look is never the same look again.
    public var secondPassSide = 640
    /// The first pass's working side and the side small images are enlarged to (the detector's
    /// ``DetectionScale``).
    public var firstPassSide = 400
    public var firstPassMinimumSide = 160
    /// Faces from the two passes overlapping more than this are the same face (YuNet's own NMS IoU).
    public var sameFaceIoU = 0.3
    /// Weak faces smaller than this (short side, original pixels) are not confirmed: far-background heads,
    /// not a candidate at the desk (on eval-dev a 15 px bystander the labels leave out was confirmed).
    public var minConfirmedSide = 24.0
    /// Persons that count when comparing with faces (the verdict policy's extra-person limits).
    public var minPersonScore = 0.5
    public var minPersonAreaFraction = 0.02
    /// When faces are found but fewer than persons, the second pass looks only at the head region (the top
    /// `headFraction` of the box, widened by `headMargin` of its width each side) of at most `maxPersonLooks`
    /// persons without a face, largest first: a lab full of small background people costs a few small
    /// crops instead of a whole 640 px pass.
    public var headFraction = 0.6
    public var headMargin = 0.1
    public var maxPersonLooks = 4
    /// Frames flatter than this luma standard deviation (the verdict policy's blocked cut) get no second
    /// look: on a covered lens YuNet reports the same frame-sized 0.63 "face" at every scale, and two looks
    /// agreeing on it are no evidence.
    public var minContrast = 12.0

    public init() {}

    /// How much the second pass enlarges an image whose long side is `side` (1 when its own downscale suffices).
    func secondPassEnlargement(longSide side: Int) -> Double {
        let zoom = Double(secondPassSide) / Double(max(firstPassSide, 1))
        let side = Double(max(side, 1))
        let firstScale =
            side > Double(firstPassSide) ? Double(firstPassSide) / side
            : side < Double(firstPassMinimumSide) ? Double(firstPassMinimumSide) / side : 1
        return max(1, firstScale * zoom)
    }

    /// Whether the first pass leaves doubt: no confident face, or fewer than the persons in view.
    func leavesDoubt(faces: [DetectedFace], persons: Int) -> Bool {
        let confident = faces.filter { $0.score >= confidentScore }.count
        return confident == 0 || confident < persons
    }

    /// Sizeable, confident person detections in a frame of `width` x `height`.
    func persons(in objects: [DetectedObject], width: Int, height: Int) -> [BoundingBox] {
        let minArea = minPersonAreaFraction * Double(width * height)
        return objects.filter { $0.label == DetectedObject.personLabel && $0.score >= minPersonScore && $0.box.area >= minArea }
            .map(\.box)
    }

    /// The head regions of the persons no confident face explains (none of their faces' centres inside),
    /// largest person first, clipped to the frame.
    func headRegions(persons: [BoundingBox], faces: [DetectedFace], width: Int, height: Int) -> [BoundingBox] {
        let confident = faces.filter { $0.score >= confidentScore }
        let unexplained = persons.filter { person in !confident.contains { person.contains($0.box.center) } }
        return unexplained.sorted { $0.area > $1.area }.prefix(maxPersonLooks).map { person in
            BoundingBox(
                x: person.x - headMargin * person.width, y: person.y, width: person.width * (1 + 2 * headMargin),
                height: person.height * headFraction
            ).clipped(width: Double(width), height: Double(height))
        }.filter { $0.width >= 8 && $0.height >= 8 }
    }

    /// Whether a second look could change `faces`: it only confirms first-pass faces at least
    /// `minConfirmedSide` across (``merge(_:_:)``), so without one it can add nothing and is not run (an
    /// empty seat would otherwise pay a 640 px pass on every frame).
    func secondLookCanConfirm(_ faces: [DetectedFace]) -> Bool {
        faces.contains { min($0.box.width, $0.box.height) >= minConfirmedSide }
    }

    /// The two passes' faces as one list: first-pass faces the second pass also finds are fused, the others
    /// kept as they are. A face only the second pass finds is dropped: the closer look confirms what the
    /// first saw weakly, it does not add faces on its own (at 640 px it finds face-like clutter in
    /// person-free COCO frames at 0.99 that the 400 px pass never reports).
    func merge(_ first: [DetectedFace], _ second: [DetectedFace]) -> [DetectedFace] {
        var merged: [DetectedFace] = []
        var usedSecond = Set<Int>()
        for face in first {
            guard min(face.box.width, face.box.height) >= minConfirmedSide else {
                merged.append(face)
                continue
            }
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
        // Greedy NMS: fused boxes come from the other pass and may now overlap a neighbour.
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
    public func detect(in image: Image, objects: [DetectedObject], quality: FrameQuality, timings: inout StageTimings) throws(VisionError)
        -> [DetectedFace]
    {
        let faces = try firstPass(in: image, timings: &timings)
        return try refine(faces, in: image, objects: objects, quality: quality, timings: &timings)
    }

    /// The first pass alone: it needs neither the objects nor the quality, so it may run while the object
    /// stage does (on its own thread: it uses only the first detector).
    public func firstPass(in image: Image, timings: inout StageTimings) throws(VisionError) -> [DetectedFace] {
        try first.detect(in: image, timings: &timings)
    }

    /// The rest of ``detect(in:objects:quality:timings:)`` after the first pass found `firstFaces`.
    public func refine(
        _ firstFaces: [DetectedFace], in image: Image, objects: [DetectedObject], quality: FrameQuality, timings: inout StageTimings
    ) throws(VisionError) -> [DetectedFace] {
        var faces = firstFaces
        let persons = settings.persons(in: objects, width: image.width, height: image.height)
        guard second != nil, quality.contrast >= settings.minContrast, settings.leavesDoubt(faces: faces, persons: persons.count)
        else {
            return faces.filter { $0.score >= reportScore }
        }
        guard settings.secondLookCanConfirm(faces) else {
            return settings.merge(faces, []).filter { $0.score >= reportScore }
        }
        secondPasses += 1
        if faces.contains(where: { $0.score >= settings.confidentScore }) {
            // Someone is seen: look again only where persons stand without a face.
            var more: [DetectedFace] = []
            let enlargement = settings.secondPassEnlargement(longSide: max(image.width, image.height))
            for region in settings.headRegions(persons: persons, faces: faces, width: image.width, height: image.height) {
                let crop = try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in try image.cropped(to: region) }
                let originX = region.x.rounded(), originY = region.y.rounded()
                more += try closerLook(at: crop, enlargement: enlargement, timings: &timings).map { $0.moved(x: originX, y: originY) }
            }
            faces = settings.merge(faces, more)
        } else {
            let enlargement = settings.secondPassEnlargement(longSide: max(image.width, image.height))
            faces = settings.merge(faces, try closerLook(at: image, enlargement: enlargement, timings: &timings))
        }
        return faces.filter { $0.score >= reportScore }
    }

    /// The second detector on `image` enlarged by `enlargement`, results in `image`'s pixels.
    private func closerLook(at image: Image, enlargement: Double, timings: inout StageTimings) throws(VisionError) -> [DetectedFace] {
        guard let second else { return [] }
        guard enlargement > 1.01 else { return try second.detect(in: image, timings: &timings) }
        let larger = try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in try image.scaled(by: enlargement) }
        let factor = Double(larger.width) / Double(max(image.width, 1))
        return try second.detect(in: larger, timings: &timings).map { $0.scaled(by: 1 / factor) }
    }
}

extension DetectedFace {
    /// The face with its box and landmarks multiplied by `factor`.
    func scaled(by factor: Double) -> DetectedFace {
        var face = self
        face.box = box.scaled(by: factor)
        face.landmarks = landmarks?.scaled(by: factor)
        return face
    }

    /// The face shifted by (x, y): from a crop's pixels to the frame's.
    func moved(x: Double, y: Double) -> DetectedFace {
        var face = self
        face.box = BoundingBox(x: box.x + x, y: box.y + y, width: box.width, height: box.height)
        if let l = landmarks {
            func shift(_ p: Point2D) -> Point2D { Point2D(x: p.x + x, y: p.y + y) }
            face.landmarks = FaceLandmarks(
                rightEye: shift(l.rightEye), leftEye: shift(l.leftEye), nose: shift(l.nose), rightMouth: shift(l.rightMouth),
                leftMouth: shift(l.leftMouth))
        }
        return face
    }
}
