import ProctorCore
import ProctorImaging

/// When and how the object stage looks again at a possible phone.
///
/// A phone held low in the hand or lying at the frame edge is 40-100 px in a webcam frame, about 30-60 px
/// in the detector's 416 px input, and scores 0.04-0.15 there. When the full-frame pass leaves such a weak
/// phone candidate, a crop around it (`context` times its long side, at least `minCropSide` px) is shown to
/// the detector again at `inputSize`, i.e. enlarged; the phone's score becomes the better of the two looks.
/// Frames without a weak candidate pay nothing. Chosen on the dev sets (scripts/evaluate): max-fusion kept
/// the person-free COCO frames clean, where a noisy-OR of the two looks added false phones; candidates from
/// 0.02 found more pasted phones but turned a dark box behind a real webcam subject (0.026) into a 0.34 phone.
public struct PhoneSecondLookSettings: Sendable, Hashable, Codable {
    public var enabled = true
    /// Phone candidates from the full-frame pass at or above this score get a second look...
    public var minCandidateScore = 0.04
    /// ...unless already at least this sure (the verdict policy's phone score).
    public var confidentScore = 0.15
    /// At most this many candidates per frame, best first (bounds the cost).
    public var maxCandidates = 2
    /// The crop's side as a multiple of the candidate's long side.
    public var context = 3.0
    public var minCropSide = 128.0
    /// The detector's input side for the crop (multiple of 32).
    public var inputSize = 320
    /// Phones from the two looks overlapping more than this are the same phone (the better score stays).
    public var sameObjectIoU = 0.2

    public init() {}

    /// The crop around a candidate, clipped to the frame.
    func crop(around box: BoundingBox, width: Int, height: Int) -> BoundingBox {
        let side = max(context * max(box.width, box.height), minCropSide)
        let center = box.center
        return BoundingBox(x: center.x - side / 2, y: center.y - side / 2, width: side, height: side)
            .clipped(width: Double(width), height: Double(height))
    }

    /// The weak phone candidates worth a second look, best first.
    func candidates(in objects: [DetectedObject]) -> [Int] {
        let weak = objects.indices.filter {
            objects[$0].classIndex == COCOLabels.cellPhone && objects[$0].score >= minCandidateScore
                && objects[$0].score < confidentScore
        }
        return Array(weak.sorted { objects[$0].score > objects[$1].score }.prefix(maxCandidates))
    }
}

/// The object stage: the full-frame pass plus a zoomed second look at weak phone candidates.
///
/// Not thread-safe (holds detectors): one per pipeline.
public final class ObjectSearch {
    public let settings: PhoneSecondLookSettings
    /// Phones below this (final) score are not reported; other classes keep the detector's thresholds.
    public let reportPhoneScore: Double
    private let full: any ObjectDetecting
    private let zoom: (any ObjectDetecting)?
    /// Second looks taken (for benchmarks and logs).
    public private(set) var secondLooks = 0

    /// `full` must report phones down to `settings.minCandidateScore`; `zoom` sees the crops.
    public init(full: any ObjectDetecting, zoom: (any ObjectDetecting)?, settings: PhoneSecondLookSettings, reportPhoneScore: Double) {
        self.full = full
        self.zoom = settings.enabled ? zoom : nil
        self.settings = settings
        self.reportPhoneScore = reportPhoneScore
    }

    public func detect(in image: Image, timings: inout StageTimings) throws(VisionError) -> [DetectedObject] {
        var objects = try full.detect(in: image, timings: &timings)
        if let zoom {
            // The zoomed look runs inside the full look's input when it holds the square (see YOLOXDetector.canvas).
            if let zoom = zoom as? YOLOXDetector, let full = full as? YOLOXDetector {
                zoom.canvas = full.inputShape(width: image.width, height: image.height)
            }
            var closer: [DetectedObject] = []
            for index in settings.candidates(in: objects) {
                let region = settings.crop(around: objects[index].box, width: image.width, height: image.height)
                guard region.width >= 16, region.height >= 16 else { continue }
                secondLooks += 1
                let crop = try Stopwatch.measure(&timings.openCV) { () throws(VisionError) in try image.cropped(to: region) }
                // The crop starts at the rounded origin (Image.cropped rounds).
                let originX = region.x.rounded(), originY = region.y.rounded()
                closer += try zoom.detect(in: crop, timings: &timings)
                    .filter { $0.classIndex == COCOLabels.cellPhone }
                    .map { phone in
                        var moved = phone
                        moved.box = BoundingBox(x: phone.box.x + originX, y: phone.box.y + originY, width: phone.box.width, height: phone.box.height)
                        return moved
                    }
            }
            if !closer.isEmpty { objects = merged(objects, closer) }
        }
        return objects.filter { $0.classIndex != COCOLabels.cellPhone || $0.score >= reportPhoneScore }
    }

    /// Both looks' phones through one NMS (the better look of the same phone wins); other classes as they were.
    private func merged(_ objects: [DetectedObject], _ closer: [DetectedObject]) -> [DetectedObject] {
        let phones = objects.filter { $0.classIndex == COCOLabels.cellPhone } + closer
        let keep = NonMaximumSuppression.select(
            boxes: phones.map(\.box), scores: phones.map(\.score), classes: phones.map(\.classIndex), iouThreshold: settings.sameObjectIoU)
        return objects.filter { $0.classIndex != COCOLabels.cellPhone } + keep.map { phones[$0] }
    }
}
