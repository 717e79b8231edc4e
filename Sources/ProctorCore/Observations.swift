/// The five facial landmarks YuNet reports. "Right" is the subject's right (the image's left side).
public struct FaceLandmarks: Sendable, Hashable, Codable {
    public var rightEye: Point2D
    public var leftEye: Point2D
    public var nose: Point2D
    public var rightMouth: Point2D
    public var leftMouth: Point2D

    public init(rightEye: Point2D, leftEye: Point2D, nose: Point2D, rightMouth: Point2D, leftMouth: Point2D) {
        self.rightEye = rightEye
        self.leftEye = leftEye
        self.nose = nose
        self.rightMouth = rightMouth
        self.leftMouth = leftMouth
    }

    /// The points in YuNet's order: right eye, left eye, nose, right mouth corner, left mouth corner.
    public var points: [Point2D] { [rightEye, leftEye, nose, rightMouth, leftMouth] }

    public func scaled(by factor: Double) -> FaceLandmarks {
        FaceLandmarks(
            rightEye: rightEye.scaled(by: factor), leftEye: leftEye.scaled(by: factor),
            nose: nose.scaled(by: factor), rightMouth: rightMouth.scaled(by: factor),
            leftMouth: leftMouth.scaled(by: factor))
    }
}

/// Head orientation in degrees.
///
/// Sign convention: `yaw > 0` when the subject turns to their own left (the nose moves toward the
/// image's right side); `pitch > 0` when the subject looks up; `roll > 0` when the head tilts so that
/// the subject's left eye sits lower in the image than the right eye.
public struct HeadPose: Sendable, Hashable, Codable {
    public var yaw: Double
    public var pitch: Double
    public var roll: Double

    public init(yaw: Double, pitch: Double, roll: Double) {
        self.yaw = yaw
        self.pitch = pitch
        self.roll = roll
    }
}

/// A face found in a frame.
public struct DetectedFace: Sendable, Hashable, Codable {
    public var box: BoundingBox
    public var score: Double
    /// Absent when the detector gives none (the Haar fallback).
    public var landmarks: FaceLandmarks?
    public var pose: HeadPose?
    /// Cosine similarity to the reference photo's face; nil when no reference was given or this face
    /// was not compared on this frame (see ``IdentityPolicy``).
    public var referenceSimilarity: Double?

    public init(box: BoundingBox, score: Double, landmarks: FaceLandmarks? = nil, pose: HeadPose? = nil) {
        self.box = box
        self.score = score
        self.landmarks = landmarks
        self.pose = pose
    }
}

/// An object found in a frame, labelled with its COCO class name.
public struct DetectedObject: Sendable, Hashable, Codable {
    public var label: String
    public var classIndex: Int
    public var score: Double
    public var box: BoundingBox

    public init(label: String, classIndex: Int, score: Double, box: BoundingBox) {
        self.label = label
        self.classIndex = classIndex
        self.score = score
        self.box = box
    }

    public static let personLabel = "person"
    public static let phoneLabel = "cell phone"
}

/// How usable a frame is, independent of what it shows.
public struct FrameQuality: Sendable, Hashable, Codable {
    /// Mean luma, 0 (black) to 255 (white).
    public var brightness: Double
    /// Standard deviation of luma: near 0 for a covered lens or a flat wall.
    public var contrast: Double
    /// Variance of the Laplacian: low for a blurred or defocused frame.
    public var sharpness: Double

    public init(brightness: Double, contrast: Double, sharpness: Double) {
        self.brightness = brightness
        self.contrast = contrast
        self.sharpness = sharpness
    }
}

/// Everything the vision pipeline saw in one frame.
public struct FrameAnalysis: Sendable, Hashable, Codable {
    public var width: Int
    public var height: Int
    public var faces: [DetectedFace]
    public var objects: [DetectedObject]
    public var quality: FrameQuality
    /// Whether the object detector ran on this frame. When it did not (the monitor can run it on every
    /// other frame to save CPU), `objects` is empty without meaning "no phone, no person".
    public var objectsChecked: Bool

    public init(
        width: Int, height: Int, faces: [DetectedFace], objects: [DetectedObject], quality: FrameQuality,
        objectsChecked: Bool = true
    ) {
        self.width = width
        self.height = height
        self.faces = faces
        self.objects = objects
        self.quality = quality
        self.objectsChecked = objectsChecked
    }

    public func objects(labelled label: String) -> [DetectedObject] { objects.filter { $0.label == label } }
}
