#if canImport(Glibc)
import Glibc
#endif

/// Signal numbers as an operator reads them in a log line.
public enum SignalName {
    public static func of(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }
}
