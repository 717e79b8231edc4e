import Metrics

/// What the monitor counts, through swift-metrics (the CLI chooses the backend; without one these are
/// no-ops). Handles are made per event, not stored: a handle made before the backend is bootstrapped
/// would stay a no-op forever, and the backend returns the same series for the same name and labels.
public enum AgentMetrics {
    public static let framesAnalysed = "proctor_frames_analysed_total"
    public static let analysisSeconds = "proctor_frame_analysis_seconds"
    public static let episodesOpened = "proctor_episodes_opened_total"
    public static let cameraLost = "proctor_camera_lost_total"
    public static let analysisFailures = "proctor_frame_analysis_failures_total"

    static func frameAnalysed(nanoseconds: UInt64) {
        Counter(label: framesAnalysed).increment()
        Metrics.Timer(label: analysisSeconds).recordNanoseconds(Int64(clamping: nanoseconds))
    }

    static func analysisFailed() { Counter(label: analysisFailures).increment() }

    static func episodeOpened(type: String) { Counter(label: episodesOpened, dimensions: [("type", type)]).increment() }

    static func cameraWasLost() { Counter(label: cameraLost).increment() }
}
