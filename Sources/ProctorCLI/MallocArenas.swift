import Foundation

/// glibc's malloc keeps up to 8 arenas per core, each holding freed memory of its own. The monitor
/// runs for hours at a few frames a second with few threads that rarely contend, so two arenas keep
/// its resident memory down (scripts/bench: median 149 -> 147 MB, max 151 -> 150 MB with OpenVINO).
enum MallocArenas {
    /// Limits the arenas; call while the process is still (nearly) single-threaded. An operator's own
    /// `MALLOC_ARENA_MAX` wins.
    static func limit(to count: Int32) {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil,
            let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt")  // RTLD_DEFAULT
        else { return }
        // mallopt(M_ARENA_MAX, count): malloc.h is not among the headers Swift imports, so neither is the
        // function nor its constant (-8 in glibc's malloc.h).
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        _ = mallopt(-8, count)
    }
}
