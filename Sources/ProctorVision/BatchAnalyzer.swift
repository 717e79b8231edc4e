import Foundation
import ProctorCore
import ProctorImaging

/// The outcome of analysing one stored image.
public struct ImageResult: Sendable {
    public var path: String
    public var outcome: Result<FrameAnalysis, VisionError>
    /// Wall time spent on this image, including reading and decoding, in milliseconds.
    public var milliseconds: Double
    /// Where that time went, stage by stage (nil when the image failed).
    public var timings: StageTimings?

    public init(path: String, outcome: Result<FrameAnalysis, VisionError>, milliseconds: Double, timings: StageTimings? = nil) {
        self.path = path
        self.outcome = outcome
        self.milliseconds = milliseconds
        self.timings = timings
    }
}

/// Analyses many image files on several threads and hands the results back in input order.
///
/// Each worker thread owns its own ``VisionPipeline`` (OpenCV models are not thread-safe), and OpenCV's
/// internal parallelism is one thread (``OpenCVRuntime/threads``), so `jobs` workers keep `jobs` cores
/// busy without oversubscription. Fewer jobs than cores leave cores idle, so then each job's pipeline
/// runs its face and object first passes at once (``VisionPipeline/runsPassesConcurrently``) and its
/// OpenVINO networks get the spare cores' threads (``InferenceBackend/forBatch(jobs:cores:)``).
/// At most `window` results wait for an earlier slow image, which bounds memory.
public final class BatchAnalyzer: Sendable {
    public let factory: VisionPipelineFactory
    public let jobs: Int
    public let window: Int
    /// Pipelines kept between runs: loading the models costs more than analysing a small batch.
    private let idle = PipelinePool()

    /// Whether each job runs its face and object first passes at the same time (two threads per job).
    public let concurrentPasses: Bool

    /// `concurrentPasses` defaults to true when fewer jobs than cores leave cores idle.
    public init(factory: VisionPipelineFactory, jobs: Int, window: Int? = nil, concurrentPasses: Bool? = nil) {
        var factory = factory
        factory.backend = factory.backend.forBatch(jobs: max(1, jobs))
        factory.compileAhead = true
        self.factory = factory
        self.jobs = max(1, jobs)
        self.window = max(self.jobs, window ?? self.jobs * 8)
        self.concurrentPasses = concurrentPasses ?? (self.jobs < ProcessInfo.processInfo.activeProcessorCount)
    }

    /// `--jobs` when not given: one job per core on both engines. On 2 cores (150 webcam frames, steady)
    /// two OpenVINO jobs of one thread made 43.8 images/s against 30.8 for one job of two threads: each
    /// job compiles its networks at its start, which a large batch amortises.
    public static func defaultJobs(for backend: InferenceBackend, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(1, cores)
    }

    /// How many pipelines wait for the next run (for tests).
    var idlePipelines: Int { idle.count }

    /// Loads the models once to surface configuration errors before any work starts. The pipeline is
    /// kept for the first worker: compiling the networks again would cost more than a small batch.
    public func validate() throws(VisionError) {
        idle.give(try factory.makePipeline())
    }

    /// Analyses `paths`, calling `emit` on the calling thread for each result in input order.
    /// Return `false` from `emit` to stop early (the workers finish their current image and exit).
    public func run(_ paths: [String], emit: (Int, ImageResult) -> Bool) {
        let state = SharedState(count: paths.count)
        var threads: [Thread] = []
        let workers = min(jobs, max(1, paths.count))
        for worker in 0..<workers {
            let factory = self.factory
            let window = self.window
            let idle = self.idle
            let concurrentPasses = self.concurrentPasses
            let thread = Thread {
                defer { state.workerExited() }
                let pipeline: VisionPipeline
                if let kept = idle.take() {
                    pipeline = kept
                } else {
                    do throws(VisionError) {
                        pipeline = try factory.makePipeline()
                    } catch {
                        state.fail(with: error.kind(.modelUnavailable))
                        return
                    }
                }
                pipeline.runsPassesConcurrently = concurrentPasses
                defer { idle.give(pipeline) }
                while let index = state.claim(window: window) {
                    let watch = Stopwatch()
                    var timings = StageTimings()
                    let outcome: Result<FrameAnalysis, VisionError>
                    do throws(VisionError) {
                        outcome = .success(try pipeline.analyze(path: paths[index], timings: &timings).0)
                    } catch {
                        outcome = .failure(error)
                    }
                    let measured: StageTimings? = if case .success = outcome { timings } else { nil }
                    state.deliver(
                        index,
                        ImageResult(path: paths[index], outcome: outcome, milliseconds: watch.elapsedMilliseconds, timings: measured))
                }
            }
            thread.name = "proctor-analyze-\(worker)"
            thread.stackSize = 4 << 20
            threads.append(thread)
            thread.start()
        }
        state.setWorkers(workers)
        var next = 0
        while next < paths.count {
            guard let result = state.take(next) else { break }
            if !emit(next, result) {
                state.cancel()
                break
            }
            next += 1
        }
        state.cancel()
        state.waitForWorkers()
    }
}

/// Pipelines not in use. A pipeline is used by one thread at a time; the lock hands it over.
private final class PipelinePool: @unchecked Sendable {
    private let lock = NSLock()
    private var pipelines: [VisionPipeline] = []

    func take() -> VisionPipeline? { lock.withLock { pipelines.popLast() } }

    func give(_ pipeline: VisionPipeline) { lock.withLock { pipelines.append(pipeline) } }

    var count: Int { lock.withLock { pipelines.count } }
}

/// Work queue and reorder buffer shared by the workers and the emitting thread.
private final class SharedState: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private var nextClaim = 0
    private var nextEmit = 0
    private var results: [Int: ImageResult] = [:]
    private var cancelled = false
    private var failure: VisionError?
    private var liveWorkers = 0
    private var exitedWorkers = 0

    init(count: Int) { self.count = count }

    func setWorkers(_ n: Int) {
        condition.lock()
        liveWorkers = n
        condition.broadcast()
        condition.unlock()
    }

    /// The next index to analyse, waiting while too many results are ahead of the emitter.
    func claim(window: Int) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled, nextClaim < count, nextClaim >= nextEmit + window { condition.wait() }
        guard !cancelled, nextClaim < count else { return nil }
        defer { nextClaim += 1 }
        return nextClaim
    }

    func deliver(_ index: Int, _ result: ImageResult) {
        condition.lock()
        results[index] = result
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for result `index`; nil when every worker has died (model load failure) or on cancel.
    func take(_ index: Int) -> ImageResult? {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil {
            if cancelled { return nil }
            if let failure, exitedWorkers >= liveWorkers, liveWorkers > 0 {
                results[index] = ImageResult(path: "", outcome: .failure(failure), milliseconds: 0)
                cancelled = true
                break
            }
            condition.wait()
        }
        let result = results.removeValue(forKey: index)
        nextEmit = index + 1
        condition.broadcast()
        return result
    }

    func fail(with error: VisionError) {
        condition.lock()
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    func workerExited() {
        condition.lock()
        exitedWorkers += 1
        condition.broadcast()
        condition.unlock()
    }

    func waitForWorkers() {
        condition.lock()
        while exitedWorkers < liveWorkers { condition.wait() }
        condition.unlock()
    }
}
