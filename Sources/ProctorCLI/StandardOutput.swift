import Foundation

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Results on stdout, where a failed write (a full disk, a reader that went away) ends the command with
/// one line and exit 74 instead of a trap or a silent death by SIGPIPE.
enum StandardOutput {
    /// Writes every byte or throws ``Failure/output(_:)``.
    static func write(_ data: Data) throws(Failure) {
        fflush(nil)  // anything print() buffered goes first, in order
        let failed = data.withUnsafeBytes { bytes -> Int32? in
            var offset = 0
            while offset < bytes.count {
                let count = systemWrite(STDOUT_FILENO, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return count < 0 ? errno : EIO }
                offset += count
            }
            return nil
        }
        if let failed { throw failure(failed) }
    }

    /// Flushes what print() buffered and reports any write that failed on the way.
    static func finish() throws(Failure) {
        // fflush(NULL): every output stream, stdout among them (Swift 6 cannot name the C global).
        if fflush(nil) != 0 { throw failure(errno == 0 ? EIO : errno) }
    }

    private static func failure(_ code: Int32) -> Failure {
        .output("cannot write the output: \(String(cString: strerror(code)))")
    }
}
