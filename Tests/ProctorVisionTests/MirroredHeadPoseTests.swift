import Foundation
import ProctorCore
import ProctorImaging
import ProctorTestSupport
import ProctorVision
import Testing

/// Head pose on real photos of turned heads, and on their mirror images: a mirrored turn is the same
/// turn to the other side. Catches a flipped yaw sign (the direction is checked against the photo) and
/// any left/right asymmetry in the landmarks or the solver (the two sizes must agree).
@Suite(.requiresModels)
struct MirroredHeadPoseTests {
    let pipeline: VisionPipeline

    init() throws {
        OpenCVRuntime.quietLogs()
        pipeline = try TestAssets.factory().makePipeline()
    }

    /// The image flipped left to right.
    func mirrored(_ image: Image) throws -> Image {
        let (width, height) = (image.width, image.height)
        let pixels = try image.bgrBytes()
        var flipped = [UInt8](repeating: 0, count: pixels.count)
        for row in 0..<height {
            for column in 0..<width {
                let from = (row * width + column) * 3
                let to = (row * width + (width - 1 - column)) * 3
                flipped[to] = pixels[from]
                flipped[to + 1] = pixels[from + 1]
                flipped[to + 2] = pixels[from + 2]
            }
        }
        return try flipped.withUnsafeBytes { try Image.fromBGR($0, width: width, height: height, stride: width * 3) }
    }

    /// The yaw of the largest face.
    func yaw(_ analysis: FrameAnalysis) throws -> Double {
        let face = try #require(analysis.faces.max { $0.box.width * $0.box.height < $1.box.width * $1.box.height })
        return try #require(face.pose, "no pose for the face").yaw
    }

    /// Positive yaw: the subject turned to their own left, the nose towards the image's right.
    @Test(arguments: [("deepface/img58.jpg", 1.0), ("deepface/img59.jpg", -1.0)])
    func aMirroredTurnIsTheSameTurnTheOtherWay(photo: String, direction: Double) throws {
        let (analysis, image) = try pipeline.analyze(path: TestAssets.photo(photo))
        let original = try yaw(analysis)
        let flipped = try yaw(pipeline.analyze(try mirrored(image)))
        #expect(original * direction > 10, "\(photo): yaw \(original)")
        #expect(flipped * direction < -10, "\(photo) mirrored: yaw \(flipped)")
        #expect(abs(original + flipped) < 5, "\(photo): \(original) vs mirrored \(flipped)")
    }
}
