import Foundation
import ProctorCore
import ProctorImaging
import ProctorTestSupport
import ProctorVision
import Testing

/// Face embeddings with the real MobileFaceNet on real photos. Needs the models and the deepface
/// photos (scripts/setup): fails, not skips, when they are missing.
struct IdentityTests {
    let embedder: IdentityAssets.Embedder

    init() throws {
        OpenCVRuntime.quietLogs()
        embedder = try IdentityAssets.Embedder()
    }

    func embedding(_ name: String) throws -> FaceEmbedding {
        let image = try embedder.loader.load(path: IdentityAssets.deepface(name))
        return try #require(try embedder.largestFace(image), "no face in \(name)").embedding
    }

    @Test func samePersonMatchesAcrossPhotosAndDifferentPeopleDoNot() throws {
        let policy = IdentityPolicy()
        let first = try embedding("img1.jpg"), second = try embedding("img2.jpg"), other = try embedding("img3.jpg")
        let same = first.similarity(to: second), different = first.similarity(to: other)
        #expect(policy.matches(same), "img1/img2 (same person): \(same)")
        #expect(!policy.matches(different), "img1/img3 (different people): \(different)")
        #expect(!policy.matches(second.similarity(to: other)))
        #expect(abs(first.similarity(to: first) - 1) < 1e-5)
    }

    @Test func alignmentPutsLandmarksOnTheTemplate() throws {
        let template = FaceAlignment.arcFace.template
        // A face twice the template's size, rotated 10 degrees and moved: the transform must undo exactly that.
        let angle = 10.0 * .pi / 180
        let points = template.map { p in
            Point2D(x: 300 + 2 * (p.x * cos(angle) - p.y * sin(angle)), y: 200 + 2 * (p.x * sin(angle) + p.y * cos(angle)))
        }
        let landmarks = FaceLandmarks(rightEye: points[0], leftEye: points[1], nose: points[2], rightMouth: points[3], leftMouth: points[4])
        let transform = try #require(FaceAlignment.arcFace.transform(from: landmarks))
        #expect(abs(transform.scale - 0.5) < 1e-9)
        for (p, q) in zip(points, template) {
            #expect(abs(transform.a * p.x + transform.b * p.y + transform.tx - q.x) < 1e-6)
            #expect(abs(transform.c * p.x + transform.d * p.y + transform.ty - q.y) < 1e-6)
        }
        let collapsed = FaceLandmarks(rightEye: points[0], leftEye: points[0], nose: points[0], rightMouth: points[0], leftMouth: points[0])
        #expect(FaceAlignment.arcFace.transform(from: collapsed) == nil)
    }

    /// The threshold's evidence: every genuine and impostor pair of the pivot file, as photos and as
    /// webcam-like frames. Prints the distributions (quoted in the README) and holds the chosen
    /// threshold to them: no false match at all, and false non-matches only where measured.
    @Test func pivotPairsSeparateAtTheThreshold() throws {
        let pairs = try IdentityAssets.pivotPairs()
        #expect(pairs.count >= 200)
        var photos: [String: FaceEmbedding] = [:]
        var webcam: [String: FaceEmbedding] = [:]
        for name in Set(pairs.flatMap { [$0.first, $0.second] }).sorted() {
            let image = try embedder.loader.load(path: IdentityAssets.deepface(name))
            let found = try #require(try embedder.largestFace(image), "no face in \(name)")
            photos[name] = found.embedding
            let frame = try IdentityAssets.webcamFrame(of: image, face: found.face.box)
            webcam[name] = try #require(try embedder.largestFace(frame), "no face in the webcam frame of \(name)").embedding
        }
        let threshold = IdentityPolicy().matchThreshold
        for (label, set) in [("photos", photos), ("webcam-like", webcam), ("photo vs webcam-like", photos)] {
            var genuine: [Double] = [], impostor: [Double] = []
            for pair in pairs {
                guard let a = set[pair.first], let b = (label == "photo vs webcam-like" ? webcam : set)[pair.second] else { continue }
                let similarity = a.similarity(to: b)
                if pair.samePerson { genuine.append(similarity) } else { impostor.append(similarity) }
            }
            let falseNonMatches = genuine.filter { $0 < threshold }.count
            let falseMatches = impostor.filter { $0 >= threshold }.count
            func stats(_ values: [Double]) -> String {
                let sorted = values.sorted()
                return String(
                    format: "n=%d min %.3f p05 %.3f median %.3f max %.3f", sorted.count, sorted.first ?? 0,
                    sorted[Int(Double(sorted.count - 1) * 0.05)], sorted[sorted.count / 2], sorted.last ?? 0)
            }
            print("identity \(label): genuine \(stats(genuine)); impostor \(stats(impostor))")
            print(
                String(
                    format: "identity \(label) at %.2f: false match %d/%d (%.1f%%), false non-match %d/%d (%.1f%%)", threshold, falseMatches,
                    impostor.count, 100 * Double(falseMatches) / Double(impostor.count), falseNonMatches, genuine.count,
                    100 * Double(falseNonMatches) / Double(genuine.count)))
            #expect(genuine.count >= 100 && impostor.count >= 100)
            #expect(falseMatches == 0, "\(label): an impostor pair matched")
            #expect(Double(falseNonMatches) <= 0.1 * Double(genuine.count), "\(label): too many genuine pairs missed")
        }
    }
}

/// The monitor's candidate scope: a matched face that stays in place is re-compared every Nth frame only.
struct CandidateTrackingTests {
    @Test func aMatchedCandidateIsRecheckedEveryNthFrameAndAStrangerOnEveryFrame() throws {
        OpenCVRuntime.quietLogs()
        var factory = TestAssets.factory()
        let locator = IdentityAssets.locator
        let reference = try ReferenceFace.load(
            path: IdentityAssets.deepface("img2.jpg"), factory: factory, policy: IdentityPolicy(), minFaceScore: 0.8, locator: locator)
        factory.identity = IdentitySettings(
            reference: reference, modelPath: try #require(locator.path(for: ModelLocator.embeddingModel)), policy: IdentityPolicy(),
            minFaceScore: 0.8, scope: .candidate, recheckMatchEvery: 4)
        let pipeline = try factory.makePipeline()
        let verifier = try #require(pipeline.identity)
        let embedder = try IdentityAssets.Embedder()
        func frame(_ name: String) throws -> Image {
            let image = try embedder.loader.load(path: IdentityAssets.deepface(name))
            return try IdentityAssets.webcamFrame(of: image, face: try #require(try embedder.largestFace(image)).face.box)
        }
        let student = try frame("img1.jpg"), stranger = try frame("img3.jpg")
        var similarities: [Double?] = []
        for _ in 0..<6 { similarities.append(try pipeline.analyze(student, detectObjects: false).faces.first?.referenceSimilarity) }
        // Compared on frames 0 and 4; frames in between carry the match.
        #expect(verifier.comparisons == 2)
        #expect(similarities.allSatisfy { ($0 ?? 0) >= IdentityPolicy().matchThreshold })
        for _ in 0..<6 { similarities.append(try pipeline.analyze(stranger, detectObjects: false).faces.first?.referenceSimilarity) }
        // The stranger sits exactly where the student sat: the match is carried to the end of its
        // interval (frames 6, 7), then the stranger is compared on every other frame (8, 10), the
        // frames between carrying nothing ("cannot tell").
        #expect(verifier.comparisons == 2 + 2)
        #expect(similarities[6...7].allSatisfy { ($0 ?? 0) >= IdentityPolicy().matchThreshold })
        #expect((similarities[8] ?? 1) < IdentityPolicy().matchThreshold && (similarities[10] ?? 1) < IdentityPolicy().matchThreshold)
        #expect(similarities[9] == nil && similarities[11] == nil)
    }
}
