import Foundation
import Synchronization
@testable import ProctorCore

/// Synthetic frames and streams for the rule tests: a 640x480 camera, a well-lit candidate.
enum Fixture {
    static let candidateBox = BoundingBox(x: 250, y: 120, width: 140, height: 160)

    static func face(
        box: BoundingBox = candidateBox, score: Double = 0.95, yaw: Double = 0, pitch: Double = 0
    ) -> DetectedFace {
        DetectedFace(box: box, score: score, pose: HeadPose(yaw: yaw, pitch: pitch, roll: 0))
    }

    static func phone(score: Double = 0.8) -> DetectedObject {
        DetectedObject(label: "cell phone", classIndex: 67, score: score, box: BoundingBox(x: 40, y: 300, width: 60, height: 90))
    }

    static func person(_ box: BoundingBox, score: Double = 0.9) -> DetectedObject {
        DetectedObject(label: "person", classIndex: 0, score: score, box: box)
    }

    /// The candidate's body: contains the candidate face's centre.
    static let candidateBody = person(BoundingBox(x: 180, y: 60, width: 300, height: 420))
    /// Someone standing at the image's left edge, away from the candidate.
    static let bystander = person(BoundingBox(x: 0, y: 80, width: 150, height: 400), score: 0.85)

    static func frame(
        faces: [DetectedFace] = [face()], objects: [DetectedObject] = [], brightness: Double = 120,
        contrast: Double = 45
    ) -> FrameAnalysis {
        FrameAnalysis(
            width: 640, height: 480, faces: faces, objects: objects,
            quality: FrameQuality(brightness: brightness, contrast: contrast, sharpness: 300))
    }

    static let present = frame()
    static let empty = frame(faces: [])
    static let dark = frame(faces: [], brightness: 8, contrast: 3)
}

/// Hands out UUIDs 1, 2, 3... so runs are comparable.
final class SequentialIDs: Sendable {
    private let counter = Mutex<UInt8>(0)

    func next() -> UUID {
        let value = counter.withLock { value in
            value &+= 1
            return value
        }
        return UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, value))
    }
}

/// A change with the time of the input that produced it.
struct TimedChange: Sendable {
    var time: Double
    var change: EpisodeChange

    var kind: String {
        switch change {
        case .opened: "opened"
        case .updated: "updated"
        case .closed: "closed"
        }
    }
}

extension EpisodeEngine {
    static func make(_ configure: (inout EpisodeRules) -> Void = { _ in }) throws -> EpisodeEngine {
        var rules = EpisodeRules()
        configure(&rules)
        let ids = SequentialIDs()
        return try EpisodeEngine(rules: rules, makeID: { ids.next() })
    }

    /// Observes frames every `1/fps` seconds for `seconds` in [from, to), computing times from an
    /// integer index so that they are exact.
    mutating func feed(
        from start: Double, to end: Double, fps: Double = 2, _ frame: (Double) -> FrameAnalysis
    ) -> [TimedChange] {
        var changes: [TimedChange] = []
        var index = 0
        while true {
            let time = start + Double(index) / fps
            guard time < end - 1e-9 else { break }
            changes += observe(time: time, analysis: frame(time)).map { TimedChange(time: time, change: $0) }
            index += 1
        }
        return changes
    }
}

extension Array where Element == TimedChange {
    func of(_ type: EpisodeType) -> [TimedChange] { filter { $0.change.episode.type == type } }
}
