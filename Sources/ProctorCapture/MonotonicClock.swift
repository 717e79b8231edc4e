#if canImport(Glibc)
import Glibc
#endif

/// Seconds on CLOCK_MONOTONIC, the clock V4L2 drivers stamp buffers with.
enum MonotonicClock {
    static var now: Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
