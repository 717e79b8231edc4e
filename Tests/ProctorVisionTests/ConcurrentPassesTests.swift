import Foundation
import ProctorCore
import ProctorTestSupport
@testable import ProctorVision
import Testing

/// Running the face stage's first pass during the object stage (two threads per job, batch analysis)
/// changes when the work happens, never what is found: the same faces, objects and scores as one thread.
@Suite(.requiresModels)
struct ConcurrentPassesTests {
    static let photos = EngineEquivalenceTests.photos + ["keliamoniz1.jpg", "bus.jpg", "phone2.jpg"]

    static func summary(_ frame: FrameAnalysis) -> [String] {
        frame.faces.map { String(format: "face %.4f %.2f %.2f %.2f %.2f", $0.score, $0.box.x, $0.box.y, $0.box.width, $0.box.height) }
            + frame.objects.map {
                String(format: "%@ %.4f %.2f %.2f %.2f %.2f", $0.label, $0.score, $0.box.x, $0.box.y, $0.box.width, $0.box.height)
            }
    }

    @Test(arguments: [InferenceEngine.opencv, .openvino])
    func sameDetectionsAsOneThread(engine: InferenceEngine) throws {
        var factory = TestAssets.factory()
        if engine == .openvino { factory.backend = try InferenceBackend.resolve(.openvino).backend }
        let sequential = try factory.makePipeline()
        let concurrent = try factory.makePipeline()
        concurrent.runsPassesConcurrently = true
        #expect(concurrent.runsPassesConcurrently && !sequential.runsPassesConcurrently)
        var detections = 0
        for name in Self.photos {
            var timings = StageTimings()
            let expected = Self.summary(try sequential.analyze(path: TestAssets.photo(name)).0)
            let actual = Self.summary(try concurrent.analyze(path: TestAssets.photo(name), timings: &timings).0)
            #expect(expected == actual, "\(name) on \(engine)")
            #expect(timings.faces > 0 && timings.objects > 0, "\(name): both stages timed")
            detections += expected.count
        }
        #expect(detections > 30)  // not an empty comparison
        // The second looks ran (their inputs depend on the objects, so they follow the object stage).
        #expect(concurrent.secondLooks.faces == sequential.secondLooks.faces && concurrent.secondLooks.faces > 0)
        #expect(concurrent.secondLooks.phones == sequential.secondLooks.phones)
    }

    /// One job on a machine with spare cores runs both passes at once; as many jobs as cores do not.
    @Test func batchJobsUseSpareCores() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(BatchAnalyzer(factory: TestAssets.factory(), jobs: 1).concurrentPasses == (cores > 1))
        #expect(!BatchAnalyzer(factory: TestAssets.factory(), jobs: cores).concurrentPasses)
        #expect(BatchAnalyzer(factory: TestAssets.factory(), jobs: cores, concurrentPasses: true).concurrentPasses)
    }

    /// Unless told otherwise, one job per core on both engines; a job given idle cores (fewer jobs than
    /// cores) runs its OpenVINO networks on cores/jobs threads, OpenCV stays on one.
    @Test func batchThreadingFollowsTheEngine() {
        let openVINO = InferenceBackend(engine: .openvino, threads: 1, version: "test")
        #expect(BatchAnalyzer.defaultJobs(for: openVINO, cores: 2) == 2)
        #expect(BatchAnalyzer.defaultJobs(for: openVINO, cores: 8) == 8)
        #expect(BatchAnalyzer.defaultJobs(for: openVINO, cores: 1) == 1)
        #expect(BatchAnalyzer.defaultJobs(for: .openCV, cores: 2) == 2)
        #expect(InferenceBackend.openCV.forBatch(jobs: 1, cores: 8) == .openCV)
        if ProcessInfo.processInfo.environment["PROCTOR_INFERENCE_THREADS"] == nil {
            #expect(openVINO.forBatch(jobs: 1, cores: 2).threads == 2)
            #expect(openVINO.forBatch(jobs: 2, cores: 2).threads == 1)
            #expect(openVINO.forBatch(jobs: 3, cores: 2).threads == 1)
        } else {
            print("batchThreadingFollowsTheEngine: PROCTOR_INFERENCE_THREADS is set, so forBatch keeps it (not checked)")
        }
    }

    /// A batch with concurrent passes reports the same analyses, in order, as one without.
    @Test func batchResultsMatch() {
        let paths = Self.photos.map(TestAssets.photo)
        func analyses(_ analyzer: BatchAnalyzer) -> [[String]] {
            var result: [[String]] = []
            analyzer.run(paths) { _, image in
                if case .success(let frame) = image.outcome { result.append(Self.summary(frame)) }
                return true
            }
            return result
        }
        let plain = analyses(BatchAnalyzer(factory: TestAssets.factory(), jobs: 1, concurrentPasses: false))
        let overlapped = analyses(BatchAnalyzer(factory: TestAssets.factory(), jobs: 1, concurrentPasses: true))
        #expect(plain.count == paths.count)
        #expect(plain == overlapped)
    }
}
