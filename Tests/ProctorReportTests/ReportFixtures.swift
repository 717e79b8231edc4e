import Foundation
import ProctorCore
import ProctorImaging
import ProctorOutbox
import ProctorReport
import ProctorTestSupport
import ProctorVision

/// Synthetic sessions for the report tests: a small demo exam and a 3-hour, 1,000-episode one.
enum ReportFixtures {
    static let demoStart = Date(timeIntervalSince1970: 1_747_040_400)  // 2025-05-12 09:00:00 UTC
    static let demoSessionID = "demo-7f3a"

    /// One planned episode of the demo exam.
    struct Planned {
        var type: EpisodeType
        var severity: EpisodeSeverity
        var start: Double
        var end: Double
        var confidence: Double
        var objects: [String] = []
        var faces = 1
    }

    /// A 90-minute exam with a little of everything, including a camera outage.
    static let demoPlan: [Planned] = [
        Planned(type: .lookingAway, severity: .low, start: 250, end: 262, confidence: 0.58),
        Planned(type: .lookingAway, severity: .low, start: 1110, end: 1135, confidence: 0.71),
        Planned(type: .faceAbsent, severity: .medium, start: 1320, end: 1390, confidence: 1, faces: 0),
        Planned(type: .phoneDetected, severity: .high, start: 2232, end: 2251, confidence: 0.86, objects: ["cell phone"]),
        Planned(type: .lookingAway, severity: .low, start: 3065, end: 3073, confidence: 0.55),
        Planned(type: .multipleFaces, severity: .medium, start: 3485, end: 3515, confidence: 0.79, faces: 2),
        Planned(type: .cameraLost, severity: .medium, start: 3900, end: 3990, confidence: 1, faces: 0),
        Planned(type: .lookingAway, severity: .low, start: 4360, end: 4375, confidence: 0.62),
        Planned(type: .cameraBlocked, severity: .medium, start: 4800, end: 4845, confidence: 0.93, faces: 0),
    ]

    /// The demo exam in an outbox at `path`, closed, with synthetic (faceless) annotated evidence.
    static func writeDemo(to path: String, studentID: String = "s-2041", examID: String = "Calculus II — Final")
        throws -> Outbox
    {
        let outbox = try Outbox(path: path)
        try outbox.openSession(id: demoSessionID, studentID: studentID, examID: examID, startedAt: demoStart)
        for (index, planned) in demoPlan.enumerated() {
            var thumbnail: Data?, jpeg: Data?
            if planned.type != .cameraLost {
                let frame = try syntheticFrame(seed: index, dark: planned.type == .cameraBlocked)
                let analysis = syntheticAnalysis(planned, width: frame.width, height: frame.height)
                jpeg = Data(try frame.jpegData(quality: 85))
                thumbnail = Data(try frame.annotatedThumbnail(with: analysis, maxSide: 320).jpegData(quality: 80))
            }
            let record = EpisodeRecord(
                id: uuid(index), type: planned.type, eventType: planned.type.rawValue, severity: planned.severity,
                startMedia: planned.start, endMedia: planned.end, peakConfidence: planned.confidence,
                framesSeen: planned.type == .cameraLost ? 0 : Int((planned.end - planned.start) * 2),
                labels: Set(planned.objects + (planned.faces > 0 ? ["face"] : [])), state: .closed)
            try outbox.upsertEpisode(sessionID: demoSessionID, episode: record, evidenceJPEG: jpeg, thumbnailJPEG: thumbnail)
        }
        try outbox.closeSession(
            id: demoSessionID, endedAt: demoStart.addingTimeInterval(5400), framesAnalyzed: 10_620, secondsWithFace: 5_020)
        return outbox
    }

    /// A 3-hour exam with `count` episodes, each with a photo thumbnail as the monitor would store it.
    ///
    /// Built in memory rather than through the outbox: 1,000 fsynced commits would time the disk, not the report.
    static func largeInput(count: Int = 1_000, seconds: Double = 10_800) throws -> ReportInput {
        let photos = ["zidane.jpg", "bus.jpg", "person.jpg", "phone.jpg"]
        let thumbnails: [Data] = try photos.map { name in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: TestAssets.photo(name)))
            let image = try Image.decode([UInt8](bytes))
            let box = BoundingBox(x: Double(image.width) * 0.3, y: Double(image.height) * 0.2, width: 120, height: 140)
            let analysis = FrameAnalysis(
                width: image.width, height: image.height, faces: [DetectedFace(box: box, score: 0.9)], objects: [],
                quality: FrameQuality(brightness: 120, contrast: 50, sharpness: 300))
            return Data(try image.annotatedThumbnail(with: analysis, maxSide: 320).jpegData(quality: 80))
        }
        let types = EpisodeType.allCases
        let step = seconds / Double(count)
        let episodes = (0..<count).map { index in
            let type = types[index % types.count]
            let start = Double(index) * step
            return ReportEpisodeInput(
                id: uuid(index), type: type, severity: EpisodeSeverity.allCases[index % 3], start: start,
                end: start + min(step * 0.8, 2 + Double(index % 17)), peakConfidence: 0.5 + Double(index % 50) / 100,
                framesSeen: type == .cameraLost ? 0 : 10, labels: ["face"],
                evidence: type == .cameraLost ? nil : thumbnails[index % thumbnails.count])
        }
        let session = ReportSession(
            id: "large", studentID: "s-large", examID: "long exam", startedAt: demoStart,
            endedAt: demoStart.addingTimeInterval(seconds), framesAnalyzed: 21_600, secondsWithFace: seconds * 0.8)
        return ReportInput(session: session, episodes: episodes)
    }

    /// A deterministic id per index, so tests can find episodes again.
    static func uuid(_ index: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", index)) ?? UUID()
    }

    /// A 640x360 desk scene drawn from shapes: a wall, a desk and a head-and-shoulders silhouette.
    static func syntheticFrame(seed: Int, dark: Bool = false) throws -> Image {
        let width = 640, height = 360
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let shift = Double(seed % 5) * 12
        for y in 0..<height {
            for x in 0..<width {
                var (b, g, r) = (170 + Double(y) / 8, 160 + Double(y) / 10, 140 + Double(x) / 20)
                if y > 280 { (b, g, r) = (60, 90, 130) }  // desk
                let dx = Double(x) - (320 + shift), dy = Double(y) - 140
                if dx * dx / 2_500 + dy * dy / 4_200 < 1 { (b, g, r) = (120, 150, 190) }  // head
                let sx = Double(x) - (320 + shift), sy = Double(y) - 330
                if y < 290, sx * sx / 22_000 + sy * sy / 9_000 < 1 { (b, g, r) = (110, 70, 50) }  // shoulders
                if dark { (b, g, r) = (b / 9, g / 9, r / 9) }
                let offset = (y * width + x) * 3
                pixels[offset] = UInt8(min(255, b))
                pixels[offset + 1] = UInt8(min(255, g))
                pixels[offset + 2] = UInt8(min(255, r))
            }
        }
        return try pixels.withUnsafeBytes { bytes in
            try Image.fromBGR(bytes, width: width, height: height, stride: width * 3)
        }
    }

    /// Boxes matching the silhouette, plus the planned objects, for the annotated thumbnail.
    static func syntheticAnalysis(_ planned: Planned, width: Int, height: Int) -> FrameAnalysis {
        var faces: [DetectedFace] = []
        if planned.faces > 0 { faces.append(DetectedFace(box: BoundingBox(x: 268, y: 72, width: 104, height: 136), score: 0.93)) }
        if planned.faces > 1 { faces.append(DetectedFace(box: BoundingBox(x: 500, y: 90, width: 70, height: 92), score: 0.74)) }
        let objects = planned.objects.map { label in
            DetectedObject(label: label, classIndex: 67, score: planned.confidence, box: BoundingBox(x: 420, y: 210, width: 60, height: 90))
        }
        return FrameAnalysis(
            width: width, height: height, faces: faces, objects: objects,
            quality: FrameQuality(brightness: 140, contrast: 40, sharpness: 200))
    }
}
