/// Checks the environment variables every command reads before anything uses them: a bad value is a
/// configuration error naming the variable (exit 78), never silently replaced.
/// (The monitor's own variables are checked with its settings: ProctorAgent's MonitorSettings.)
enum EnvironmentSettings {
    /// OpenCV's own threads per job, and OpenVINO's per network: at most 64.
    static let threads = 1...64

    static func validate(_ environment: [String: String]) throws {
        for name in ["PROCTOR_OPENCV_THREADS", "PROCTOR_INFERENCE_THREADS"] {
            guard let text = environment[name], !text.isEmpty else { continue }
            guard let value = Int(text), threads.contains(value) else {
                throw Failure.configuration(
                    "\(name)=\(text) must be a whole number in \(threads.lowerBound)...\(threads.upperBound)")
            }
        }
    }
}
