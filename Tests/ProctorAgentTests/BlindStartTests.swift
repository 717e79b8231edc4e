import Testing

@testable import ProctorAgent

/// A monitor whose engine analyses none of its first frames stops; one bad frame later never does.
struct BlindStartTests {
    @Test func theLimitOfFailuresBeforeAnyAnalysisEndsIt() {
        var watch = BlindStart(limit: 3)
        #expect(watch.failed("a") == nil)
        #expect(watch.failed("b") == nil)
        let reason = watch.failed("cannot compile the model")
        #expect(reason == "no frame could be analysed: the first 3 all failed (last: cannot compile the model)")
    }

    @Test func failuresAfterAnAnalysedFrameNeverCount() {
        var watch = BlindStart(limit: 2)
        #expect(watch.failed("a") == nil)
        watch.succeeded()
        for _ in 0..<10 { #expect(watch.failed("a bad frame") == nil) }
        #expect(watch.failures == 1)
    }

    @Test func anAbsurdLimitStillNeedsOneFailure() {
        var watch = BlindStart(limit: -5)
        #expect(watch.failed("x") != nil)
    }
}
