#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Facts about the process's standard streams.
enum Terminal {
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// The terminal's width in columns (80 when unknown).
    static var columns: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// The live status line now on screen (nil when none), redrawn under each log line.
    private static let status = Mutex<String?>(nil)

    /// Writes a log line on a terminal: the status line is cleared first and drawn again below it.
    static func writeLogLine(_ line: String) {
        status.withLock { shown in
            guard let shown else { return writeError(line) }
            writeError("\r\u{1B}[2K" + line + shown)
        }
    }

    /// Replaces the status line (nil removes it).
    static func showStatus(_ text: String?) {
        status.withLock { shown in
            writeError("\r\u{1B}[2K" + (text ?? ""))
            shown = text
        }
    }

    static func writeError(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
