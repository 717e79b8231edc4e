import Foundation
import ProctorImaging

/// Which engine the user asked for: `auto` takes OpenVINO when its runtime loads, else OpenCV.
public enum EngineChoice: String, Sendable, Hashable, Codable, CaseIterable {
    case auto, openvino, opencv

    /// `PROCTOR_ENGINE`, when set; a one-line error for anything but auto, openvino, opencv.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(VisionError)
        -> EngineChoice?
    {
        guard let text = environment["PROCTOR_ENGINE"], !text.isEmpty else { return nil }
        guard let choice = EngineChoice(rawValue: text.lowercased()) else {
            throw VisionError("PROCTOR_ENGINE=\(text.prefix(40)) is not one of auto, openvino, opencv")
        }
        return choice
    }
}

/// The engine that runs the networks' forward passes. Everything around them (pre-processing, decoding,
/// NMS, pose) is the same code on both.
public enum InferenceEngine: String, Sendable, Hashable, Codable {
    /// OpenCV's DNN module (Debian's OpenCV 4.6).
    case opencv
    /// Intel's OpenVINO runtime (its C API, loaded at run time from the project-local wheel folder).
    case openvino
}

/// An engine plus how it runs: what detectors are built with.
public struct InferenceBackend: Sendable, Hashable, CustomStringConvertible {
    public var engine: InferenceEngine
    /// Inference threads per network (OpenVINO; OpenCV's are process-wide, see ``OpenCVRuntime/threads``).
    /// One per analysis job: `--jobs N` runs N networks side by side, one core each.
    public var threads: Int
    /// The runtime's version, e.g. "2026.4.1" for OpenVINO, OpenCV's for OpenCV.
    public var version: String

    public static let openCV = InferenceBackend(engine: .opencv, threads: OpenCVRuntime.threads, version: OpenCVRuntime.version)

    public init(engine: InferenceEngine, threads: Int, version: String) {
        self.engine = engine
        self.threads = threads
        self.version = version
    }

    /// "openvino 2026.4.1" or "opencv 4.6.0".
    public var description: String { "\(engine.rawValue) \(version)" }

    /// Threads per OpenVINO network: `$PROCTOR_INFERENCE_THREADS`, else 1.
    public static var openVINOThreads: Int { requestedOpenVINOThreads ?? 1 }

    /// `$PROCTOR_INFERENCE_THREADS` (1...64), when set to a number.
    static var requestedOpenVINOThreads: Int? {
        ProcessInfo.processInfo.environment["PROCTOR_INFERENCE_THREADS"].flatMap { Int($0) }.map { max(1, min($0, 64)) }
    }

    /// This backend for `jobs` batch jobs on `cores` cores: unless `$PROCTOR_INFERENCE_THREADS` says
    /// otherwise, each OpenVINO network gets the cores the jobs leave idle (one job on two cores: two
    /// threads per forward pass). OpenCV's threads are process-wide and stay as they are.
    public func forBatch(jobs: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> InferenceBackend {
        guard engine == .openvino, Self.requestedOpenVINOThreads == nil else { return self }
        var backend = self
        backend.threads = max(1, min(cores / max(1, jobs), 64))
        return backend
    }

    /// The backend a choice selects. `auto` never fails (it falls back to OpenCV and says why in
    /// `notice`); `openvino` throws when the runtime cannot be loaded.
    public static func resolve(_ choice: EngineChoice) throws(VisionError) -> (backend: InferenceBackend, notice: String?) {
        switch choice {
        case .opencv:
            return (.openCV, nil)
        case .openvino:
            switch OpenVINORuntime.status {
            case .success(let runtime): return (openVINO(runtime), nil)
            case .failure(let error): throw VisionError("--engine openvino: \(error.message)")
            }
        case .auto:
            switch OpenVINORuntime.status {
            case .success(let runtime): return (openVINO(runtime), nil)
            case .failure(let error): return (.openCV, "OpenVINO not available (\(error.message)): using OpenCV DNN")
            }
        }
    }

    private static func openVINO(_ runtime: OpenVINORuntime.Loaded) -> InferenceBackend {
        InferenceBackend(engine: .openvino, threads: openVINOThreads, version: runtime.shortVersion)
    }
}
