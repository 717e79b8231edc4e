import ProctorTestSupport
@testable import ProctorVision
import Testing

@Suite(.requiresModels)
struct PipelineReuseTests {
    /// Batch after batch (as `proctor reanalyze` runs), the workers' pipelines are kept, not reloaded.
    @Test func pipelinesSurviveBetweenRuns() {
        let analyzer = BatchAnalyzer(factory: TestAssets.factory(), jobs: 2)
        let paths = ["keliamoniz1.jpg", "zidane.jpg", "bus.jpg"].map(TestAssets.photo)
        for _ in 0..<3 {
            var analyzed = 0
            analyzer.run(paths) { _, result in
                if case .success = result.outcome { analyzed += 1 }
                return true
            }
            #expect(analyzed == 3)
            #expect(analyzer.idlePipelines == 2)
        }
    }
}
