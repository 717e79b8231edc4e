import Foundation
import ProctorCore
import ProctorImaging
import ProctorTestSupport
import ProctorVision
import Testing

/// Real models on real photos.
@Suite(.requiresModels)
struct DetectionTests {
    let pipeline: VisionPipeline
    let policy = VerdictPolicy()

    init() throws {
        OpenCVRuntime.quietLogs()
        pipeline = try TestAssets.factory().makePipeline()
    }

    func analyze(_ name: String) throws -> FrameAnalysis {
        try pipeline.analyze(path: TestAssets.photo(name)).0
    }

    @Test func twoFacesInZidane() throws {
        let frame = try analyze("zidane.jpg")
        #expect(policy.countedFaces(in: frame).count == 2)
        #expect(policy.verdicts(for: frame).contains(.multipleFaces))
        // Boxes are in the original image's pixels (1280x720), not the detector's working size.
        #expect(frame.width == 1280 && frame.height == 720)
        #expect(frame.faces.allSatisfy { $0.box.maxX <= 1280 && $0.box.width > 60 })
    }

    @Test func elevenFacesInGroupPhoto() throws {
        let frame = try analyze("lfd_android_test2.jpg")
        #expect(policy.countedFaces(in: frame).count == 11)
        #expect(frame.faces.allSatisfy { $0.landmarks != nil && $0.pose != nil })
    }

    @Test func phoneIsFound() throws {
        let frame = try analyze("phone.jpg")
        let phones = policy.phones(in: frame)
        #expect(phones.count == 1)
        // The phone in the driver's hand (MODELS.md: box near 549,352 123x143).
        if let phone = phones.first {
            #expect(phone.box.iou(BoundingBox(x: 549, y: 352, width: 123, height: 143)) > 0.5)
        }
        #expect(policy.verdicts(for: frame).contains(.phone))
    }

    @Test func singleCandidateLooksAtCamera() throws {
        let frame = try analyze("keliamoniz1.jpg")
        let faces = policy.countedFaces(in: frame)
        #expect(faces.count == 1)
        let pose = try #require(faces.first?.pose)
        #expect(abs(pose.yaw) < 25 && abs(pose.pitch) < 25 && abs(pose.roll) < 20)
        #expect(policy.verdicts(for: frame).isEmpty)
        let landmarks = try #require(faces.first?.landmarks)
        // The subject's right eye is on the image's left.
        #expect(landmarks.rightEye.x < landmarks.leftEye.x)
        #expect(landmarks.nose.y > landmarks.rightEye.y && landmarks.rightMouth.y > landmarks.nose.y)
    }

    @Test func noFaceWithoutPeopleFacingCamera() throws {
        let frame = try analyze("person.jpg")
        #expect(policy.countedFaces(in: frame).isEmpty)
        #expect(frame.objects.contains { $0.label == "dog" })  // other COCO labels are kept
        #expect(policy.verdicts(for: frame).contains(.noFace))
    }

    @Test func frameQualityTellsDarkFromAbsent() throws {
        let frame = try analyze("keliamoniz1.jpg")
        #expect(!policy.isBlocked(frame.quality))
        let pixels = [UInt8](repeating: 4, count: 320 * 240 * 3)
        let black = try pixels.withUnsafeBytes { try Image.fromBGR($0, width: 320, height: 240, stride: 320 * 3) }
        let dark = try pipeline.analyze(black)
        #expect(dark.quality.brightness < 10 && dark.quality.contrast < 1)
        #expect(policy.verdicts(for: dark) == [.cameraBlocked])
    }

    @Test func timingsAccountForOpenCV() throws {
        var t = StageTimings()
        _ = try pipeline.analyze(path: TestAssets.photo("zidane.jpg"), timings: &t)
        #expect(t.total > 0 && t.openCV > 0 && t.openCV <= t.total + 0.5)
        #expect(t.faces > 0 && t.objects > 0 && t.decode > 0)
    }

    @Test func annotatedEvidenceEncodesAsJPEG() throws {
        let (frame, image) = try pipeline.analyze(path: TestAssets.photo("phone.jpg"))
        let annotated = try image.annotated(with: frame)
        let jpeg = try annotated.jpegData(quality: 85)
        #expect(jpeg.starts(with: [0xFF, 0xD8]) && jpeg.count > 10_000)
        #expect(try annotated.bgrBytes() != image.bgrBytes())  // boxes were drawn on the copy only
    }
}

@Suite(.requiresModels)
struct BatchTests {
    @Test func parallelOutputKeepsInputOrder() throws {
        let names = ["zidane.jpg", "missing.jpg", "keliamoniz1.jpg", "bus.jpg", "phone.jpg", "keliamoniz2.jpg", "lfd_ios_test.jpg"]
        let paths = names.map(TestAssets.photo)
        let analyzer = BatchAnalyzer(factory: TestAssets.factory(), jobs: 2, window: 2)
        var seen: [String] = []
        var failures = 0
        analyzer.run(paths) { index, result in
            #expect(result.path == paths[index])
            seen.append(result.path)
            if case .failure = result.outcome { failures += 1 }
            return true
        }
        #expect(seen == paths)
        #expect(failures == 1)
    }

    @Test func stopsEarlyWhenAsked() throws {
        let paths = Array(repeating: TestAssets.photo("keliamoniz1.jpg"), count: 20)
        var count = 0
        BatchAnalyzer(factory: TestAssets.factory(), jobs: 2).run(paths) { _, _ in
            count += 1
            return count < 3
        }
        #expect(count == 3)
    }

    @Test func haarFallbackWhenYuNetIsMissing() throws {
        var factory = TestAssets.factory()
        factory.faceModelPath = nil
        #expect(factory.warnings.contains { $0.contains("Haar") })
        let pipeline = try factory.makePipeline()
        let frame = try pipeline.analyze(path: TestAssets.photo("lfd_android_test2.jpg")).0
        #expect(frame.faces.count >= 10 && frame.faces.count <= 12)
        #expect(frame.faces.allSatisfy { $0.landmarks == nil && $0.pose == nil })
    }
}
