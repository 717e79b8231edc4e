import Foundation
import ProctorCore
import ProctorImaging
import ProctorTestSupport
import ProctorVision
import Testing

/// The two inference engines give the same detections on the fixture photos. scripts/setup installs the
/// OpenVINO runtime, so a missing runtime fails these tests (it is never a reason to skip them).
@Suite(.requiresModels)
struct EngineEquivalenceTests {
    static let photos = [
        "bus.jpg", "keliamoniz1.jpg", "keliamoniz2.jpg", "lfd_android_test2.jpg", "lfd_ios_test.jpg", "person.jpg", "phone.jpg", "phone2.jpg",
        "zidane.jpg",
    ]

    /// A detection for comparison: label ("face" or the COCO name), box, score.
    struct Detection: CustomStringConvertible {
        var label: String
        var box: BoundingBox
        var score: Double

        var description: String {
            String(format: "%@ %.3f [%.0f %.0f %.0f %.0f]", label, score, box.x, box.y, box.width, box.height)
        }
    }

    static func detections(_ frame: FrameAnalysis) -> [Detection] {
        frame.faces.map { Detection(label: "face", box: $0.box, score: $0.score) }
            + frame.objects.map { Detection(label: $0.label, box: $0.box, score: $0.score) }
    }

    /// Pairs each detection of `a` with the unused detection of `b` of the same label that overlaps it
    /// most; returns the problems (count, label, IoU < 0.9, score apart by more than 0.02).
    static func differences(_ a: [Detection], _ b: [Detection]) -> [String] {
        var problems: [String] = []
        if a.count != b.count { problems.append("\(a.count) vs \(b.count) detections") }
        var unused = Array(b.indices)
        for detection in a.sorted(by: { $0.score > $1.score }) {
            let best = unused.filter { b[$0].label == detection.label }.max { b[$0].box.iou(detection.box) < b[$1].box.iou(detection.box) }
            guard let best else {
                problems.append("no match for \(detection)")
                continue
            }
            unused.removeAll { $0 == best }
            let iou = detection.box.iou(b[best].box)
            if iou < 0.9 || abs(detection.score - b[best].score) > 0.02 {
                problems.append(String(format: "%@ vs %@ (IoU %.3f)", detection.description, b[best].description, iou))
            }
        }
        problems += unused.map { "unmatched \(b[$0])" }
        return problems
    }

    func openVINOBackend() throws -> InferenceBackend {
        let resolved = try InferenceBackend.resolve(.openvino)
        #expect(resolved.backend.engine == .openvino)
        return resolved.backend
    }

    @Test func runtimeIsInstalled() throws {
        switch OpenVINORuntime.status {
        case .success(let runtime):
            #expect(runtime.version.hasPrefix("2026.4.1"), "\(runtime.version)")
        case .failure(let error):
            Issue.record("the OpenVINO runtime did not load (scripts/setup installs it): \(error.message)")
        }
    }

    @Test func bothEnginesFindTheSameFacesAndObjects() throws {
        let openCV = try TestAssets.factory().makePipeline()
        var factory = TestAssets.factory()
        factory.backend = try openVINOBackend()
        let openVINO = try factory.makePipeline()
        var compared = 0
        for name in Self.photos {
            let a = Self.detections(try openCV.analyze(path: TestAssets.photo(name)).0)
            let b = Self.detections(try openVINO.analyze(path: TestAssets.photo(name)).0)
            let problems = Self.differences(a, b)
            #expect(problems.isEmpty, "\(name): \(problems.joined(separator: "; "))")
            compared += a.count
        }
        #expect(compared > 40)  // faces and objects across the set, not an empty comparison
    }

    /// The Swift decoding of YuNet's raw outputs reproduces cv::FaceDetectorYN (same network, same
    /// engine), far tighter than the cross-engine tolerance.
    @Test func swiftYuNetDecodingMatchesFaceDetectorYN() throws {
        let model = TestAssets.modelsDirectory.appendingPathComponent(ModelLocator.faceModel).path
        let reference = try YuNetFaceDetector(modelPath: model)
        let decoded = try YuNetNetworkDetector(modelPath: model, backend: .openCV)
        var faces = 0
        for name in Self.photos {
            let image = try ImageLoader().load(path: TestAssets.photo(name))
            var timings = StageTimings()
            let expected = try reference.detect(in: image, timings: &timings)
            let actual = try decoded.detect(in: image, timings: &timings)
            #expect(expected.count == actual.count, "\(name): \(expected.count) vs \(actual.count)")
            for (e, a) in zip(expected, actual) {
                #expect(e.box.iou(a.box) > 0.999 && abs(e.score - a.score) < 1e-4, "\(name): \(e.box) \(e.score) vs \(a.box) \(a.score)")
                if let el = e.landmarks, let al = a.landmarks {
                    #expect(abs(el.nose.x - al.nose.x) < 0.05 && abs(el.leftMouth.y - al.leftMouth.y) < 0.05, "\(name)")
                }
            }
            faces += expected.count
        }
        #expect(faces >= 20)
    }

    /// MobileFaceNet gives the same embedding on both engines (cosine > 0.99) for the same aligned face,
    /// on the fixture photos and the face-recognition pairs; the two engines' vectors of different people
    /// stay far apart, so the tolerance tells faces apart.
    @Test func bothEnginesGiveTheSameFaceEmbeddings() throws {
        let openCV = try IdentityAssets.Embedder(backend: .openCV)
        let model = try #require(IdentityAssets.locator.path(for: ModelLocator.embeddingModel))
        let openVINO = try FaceEmbedder(modelPath: model, backend: try openVINOBackend())
        #expect(openCV.embedder.engine == .opencv && openVINO.engine == .openvino)
        let photos = Self.photos.map(TestAssets.photo) + ["img1.jpg", "img2.jpg", "img3.jpg", "img6.jpg", "img54.jpg"].map(IdentityAssets.deepface)
        var pairs: [(FaceEmbedding, FaceEmbedding)] = []
        for path in photos {
            let image = try openCV.loader.load(path: path)
            var timings = StageTimings()
            for face in try openCV.detector.detect(in: image, timings: &timings) where face.score >= 0.8 {
                guard let landmarks = face.landmarks else { continue }
                let a = try openCV.embedder.embed(landmarks, in: image)
                let b = try openVINO.embed(landmarks, in: image)
                let similarity = a.similarity(to: b)
                #expect(similarity > 0.99, "\((path as NSString).lastPathComponent) face at \(face.box): cosine \(similarity) across engines")
                pairs.append((a, b))
            }
        }
        #expect(pairs.count >= 15)  // many faces, not an empty comparison
        // Different faces (consecutive in the list, from different photos or people) are never that close.
        let closest = zip(pairs, pairs.dropFirst()).map { $0.0.0.similarity(to: $0.1.1) }.max() ?? 1
        #expect(closest < 0.99, "two different faces had cosine \(closest) across engines")
    }

    /// The comparison itself can fail: a shifted box, a changed score or a missing detection is caught.
    @Test func comparisonCatchesDifferences() {
        let face = Detection(label: "face", box: BoundingBox(x: 10, y: 10, width: 100, height: 100), score: 0.9)
        #expect(Self.differences([face], [face]).isEmpty)
        var moved = face
        moved.box.x += 15
        #expect(!Self.differences([face], [moved]).isEmpty)
        var weaker = face
        weaker.score -= 0.03
        #expect(!Self.differences([face], [weaker]).isEmpty)
        #expect(!Self.differences([face], []).isEmpty)
        var phone = face
        phone.label = "cell phone"
        #expect(!Self.differences([face], [phone]).isEmpty)
    }
}
