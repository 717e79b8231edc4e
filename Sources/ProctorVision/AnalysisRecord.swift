import Foundation
import ProctorCore

/// The JSON line `proctor analyze` writes for one image (and `proctor reanalyze` stores as findings).
///
/// Boxes are `[x, y, w, h]` in the original image's pixels; landmarks are five `[x, y]` pairs in
/// YuNet's order (right eye, left eye, nose, right mouth corner, left mouth corner; "right" is the
/// subject's right); angles are degrees (see ``HeadPose`` for the signs).
public struct AnalysisRecord: Codable, Sendable, Hashable {
    public struct Face: Codable, Sendable, Hashable {
        public var box: [Double]
        public var score: Double
        public var landmarks: [[Double]]?
        public var yaw: Double?
        public var pitch: Double?
        public var roll: Double?
        /// Present only when a reference photo was given (see ``IdentityPolicy``).
        public var identity: Identity?
    }

    /// A face compared with the reference photo: cosine similarity, whether that is the same person,
    /// and whether the face was clear enough for the judgement to count (else "cannot tell").
    public struct Identity: Codable, Sendable, Hashable {
        public var similarity: Double
        public var match: Bool
        public var usable: Bool
    }

    public struct Object: Codable, Sendable, Hashable {
        public var label: String
        public var score: Double
        public var box: [Double]
    }

    public struct Quality: Codable, Sendable, Hashable {
        public var brightness: Double
        public var contrast: Double
        public var sharpness: Double
        public var blocked: Bool
    }

    public var image: String
    public var width: Int?
    public var height: Int?
    public var faces: [Face]?
    public var objects: [Object]?
    public var quality: Quality?
    public var verdicts: [String]?
    public var ms: Double
    /// Per-stage milliseconds, when asked for (`--timings`).
    public var timings: StageTimings?
    public var error: String?
    /// With `error`: whose fault it is, a ``VisionError/Kind`` ("bad_input", "model_unavailable",
    /// "engine_failure"), so a batch can tell a broken image from a broken worker.
    public var errorKind: String?

    private enum CodingKeys: String, CodingKey {
        case image, width, height, faces, objects, quality, verdicts, ms, timings, error
        case errorKind = "error_kind"
    }

    public init(result: ImageResult, policy: VerdictPolicy, identity: IdentityPolicy = IdentityPolicy(), includeTimings: Bool = false) {
        image = result.path
        ms = Self.round(result.milliseconds, 1)
        switch result.outcome {
        case .failure(let failure):
            error = failure.message
            errorKind = failure.kind.rawValue
        case .success(let analysis):
            width = analysis.width
            height = analysis.height
            faces = analysis.faces.map { face in
                Face(
                    box: Self.box(face.box), score: Self.round(face.score, 3),
                    landmarks: face.landmarks.map { $0.points.map { [Self.round($0.x, 1), Self.round($0.y, 1)] } },
                    yaw: face.pose.map { Self.round($0.yaw, 1) }, pitch: face.pose.map { Self.round($0.pitch, 1) },
                    roll: face.pose.map { Self.round($0.roll, 1) },
                    identity: face.referenceSimilarity.map {
                        Identity(similarity: Self.round($0, 3), match: identity.matches($0), usable: identity.isUsable(face))
                    })
            }
            objects = analysis.objects.map { Object(label: $0.label, score: Self.round($0.score, 3), box: Self.box($0.box)) }
            let q = analysis.quality
            quality = Quality(
                brightness: Self.round(q.brightness, 1), contrast: Self.round(q.contrast, 1), sharpness: Self.round(q.sharpness, 1),
                blocked: policy.isBlocked(q))
            verdicts = policy.verdicts(for: analysis).map(\.rawValue)
            if includeTimings { timings = result.timings }
        }
    }

    static func box(_ box: BoundingBox) -> [Double] {
        [round(box.x, 1), round(box.y, 1), round(box.width, 1), round(box.height, 1)]
    }

    static func round(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }
}
