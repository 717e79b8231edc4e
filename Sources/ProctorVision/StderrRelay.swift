import CVShim

/// Keeps native libraries' own stderr text out of JSON-lines logs (see cvshim_stderr.h): when stderr is
/// not a terminal, every line that is not a JSON object is wrapped as one by a relay process.
public enum StderrRelay {
    /// Starts the relay, once, before the process writes anything. Lines starting with `prefix` (the
    /// command's final one-line `error: ...`) are kept as they are. False when stderr is a terminal or
    /// the relay could not start (stderr is then unchanged).
    @discardableResult
    public static func start(passingThrough prefix: String) -> Bool {
        pv_stderr_relay_start(prefix) == 0
    }
}
