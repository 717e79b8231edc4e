import Testing
@testable import ProctorCore

@Suite struct FrozenFrameDetectorTests {
    @Test func identicalThumbnailsAreUnchangedNoisyOnesAreNot() {
        var detector = FrozenFrameDetector()
        let still = [UInt8](repeating: 80, count: 16 * 12)
        let first = detector.isUnchanged(still)
        let repeated = detector.isUnchanged(still)
        // One grey level of noise on every pixel: a live sensor.
        let noisy = detector.isUnchanged(still.map { $0 + 1 })
        #expect(!first)
        #expect(repeated)
        #expect(!noisy)
    }

    @Test func sizeChangesAreNotFreezes() {
        var detector = FrozenFrameDetector()
        _ = detector.isUnchanged([UInt8](repeating: 0, count: 192))
        let resized = detector.isUnchanged([UInt8](repeating: 0, count: 100))
        #expect(!resized)
        #expect(FrozenFrameDetector.meanAbsoluteDifference([], []) == nil)
        #expect(FrozenFrameDetector.meanAbsoluteDifference([0, 10], [4, 0]) == 7)
    }

    @Test func resetForgetsThePreviousFrame() {
        var detector = FrozenFrameDetector()
        let still = [UInt8](repeating: 80, count: 192)
        _ = detector.isUnchanged(still)
        detector.reset()
        let afterReset = detector.isUnchanged(still)
        #expect(!afterReset)
    }
}
