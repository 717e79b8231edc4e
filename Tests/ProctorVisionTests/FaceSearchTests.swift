import ProctorCore
@testable import ProctorVision
import Testing

/// The face stage's policy: when to look again, how much closer, and how two looks combine.
struct FaceSearchTests {
    let settings = FaceSearchSettings()

    func face(_ x: Double, _ score: Double, side: Double = 100) -> DetectedFace {
        DetectedFace(box: BoundingBox(x: x, y: 50, width: side, height: side), score: score)
    }

    @Test func doubtWhenNoConfidentFaceOrFewerFacesThanPersons() {
        #expect(settings.leavesDoubt(faces: [], persons: 0))
        #expect(settings.leavesDoubt(faces: [face(0, 0.7)], persons: 1))
        #expect(!settings.leavesDoubt(faces: [face(0, 0.95)], persons: 1))
        #expect(settings.leavesDoubt(faces: [face(0, 0.95)], persons: 2))
    }

    @Test func twoWeakLooksAtTheSameFaceMakeOneConfidentFace() {
        let merged = settings.merge([face(10, 0.6)], [face(14, 0.6)])
        #expect(merged.count == 1)
        #expect(abs((merged.first?.score ?? 0) - 0.84) < 1e-9)
    }

    @Test func theSecondLookNeverAddsAFaceAlone() {
        let merged = settings.merge([face(10, 0.6)], [face(10, 0.62), face(300, 0.99)])
        #expect(merged.count == 1 && merged.first?.box.x == 10)
    }

    @Test func tinyWeakFacesAreNotConfirmed() {
        let merged = settings.merge([face(10, 0.7, side: 15)], [face(10, 0.7, side: 15)])
        #expect(merged.map(\.score) == [0.7])
    }

    @Test func aSecondLookRunsOnlyWhenAFirstFaceCouldBeConfirmed() {
        #expect(!settings.secondLookCanConfirm([]))
        #expect(!settings.secondLookCanConfirm([face(0, 0.6, side: 23)]))
        #expect(settings.secondLookCanConfirm([face(0, 0.6, side: 23), face(100, 0.6, side: 24)]))
    }

    @Test func theSecondLookIsAlwaysCloser() {
        #expect(settings.secondPassEnlargement(longSide: 640) == 1)  // its own 640 px copy is 1.6x the first's
        #expect(settings.secondPassEnlargement(longSide: 1280) == 1)
        #expect(abs(settings.secondPassEnlargement(longSide: 300) - 1.6) < 1e-9)
        #expect(abs(settings.secondPassEnlargement(longSide: 50) - 160.0 / 50 * 1.6) < 1e-9)
    }

    @Test func headRegionsOnlyForPersonsWithoutAFace() {
        let candidate = BoundingBox(x: 0, y: 0, width: 300, height: 400)
        let bystander = BoundingBox(x: 400, y: 20, width: 100, height: 200)
        let regions = settings.headRegions(persons: [candidate, bystander], faces: [face(100, 0.95)], width: 640, height: 480)
        #expect(regions.count == 1)
        #expect(regions.first.map { abs($0.x - 390) < 1e-9 && abs($0.height - 120) < 1e-9 } == true)
    }
}
