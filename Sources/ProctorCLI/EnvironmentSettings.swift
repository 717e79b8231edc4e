/// Checks the environment variables every command reads before anything uses them: a bad value is a
/// configuration error naming the variable (exit 78), never silently replaced.
/// (The monitor's own variables are checked with its settings: ProctorAgent's MonitorSettings.)
enum EnvironmentSettings {
    /// OpenCV's own threads per job: at most 64.
    static let openCVThreads = 1...64

    static func validate(_ environment: [String: String]) throws {
        if let text = environment["PROCTOR_OPENCV_THREADS"], !text.isEmpty {
            guard let value = Int(text), openCVThreads.contains(value) else {
                throw Failure.configuration(
                    "PROCTOR_OPENCV_THREADS=\(text) must be a whole number in \(openCVThreads.lowerBound)...\(openCVThreads.upperBound)")
            }
        }
    }
}
