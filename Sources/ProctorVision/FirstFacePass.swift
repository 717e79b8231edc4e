import Dispatch
import ProctorCore
import ProctorImaging

/// The face stage's first pass, running on a side thread while the caller runs the object stage.
///
/// The two use different networks and only read the frame, so they may overlap; the caller must collect
/// the result (``result()``, or ``wait()`` when it gives up) before it uses the face detectors again.
final class FirstFacePass: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    // Written by the side thread before it signals `finished`, read by the caller only after waiting on it.
    private var outcome: Result<[DetectedFace], VisionError> = .success([])
    private var timings = StageTimings()
    private var collected = false

    init(_ search: FaceSearch, _ image: Image, on queue: DispatchQueue) {
        let work = SideThreadWork(search: search, image: image)
        queue.async { [self] in
            let watch = Stopwatch()
            var measured = StageTimings()
            do throws(VisionError) {
                outcome = .success(try work.search.firstPass(in: work.image, timings: &measured))
            } catch {
                outcome = .failure(error)
            }
            measured.faces = watch.elapsedMilliseconds
            timings = measured
            finished.signal()
        }
    }

    /// The first pass's faces and its timings (`faces`: its duration; `openCV`: time inside the engines).
    func result() -> (faces: Result<[DetectedFace], VisionError>, timings: StageTimings) {
        wait()
        return (outcome, timings)
    }

    /// Blocks until the side thread is done with the detector.
    func wait() {
        guard !collected else { return }
        finished.wait()
        collected = true
    }
}

/// What the side thread is handed: the face search is used by one thread at a time (the caller waits
/// before touching it again) and the image is only read.
private struct SideThreadWork: @unchecked Sendable {
    let search: FaceSearch
    let image: Image
}
