#if canImport(Glibc)
import Glibc
#endif

/// Makes a write to a closed pipe (stdout piped to `head`, stderr whose reader died) an EPIPE error
/// the writer handles instead of a silent death by SIGPIPE.
enum BrokenPipes {
    static func ignore() { signal(SIGPIPE, SIG_IGN) }
}
