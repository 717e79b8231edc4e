import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A running process, recognisable after it is gone: boot id, pid and the process's start time.
///
/// Sessions and delivery claims record their owner this way. A pid alone is not enough (pids are
/// reused, and a reboot resets them); the start time in clock ticks since boot
/// (`/proc/PID/stat`, field 22) pins one incarnation, and the boot id tells this boot from the last.
public struct ProcessIdentity: Sendable, Hashable, CustomStringConvertible {
    public var bootID: String
    public var pid: Int32
    public var startTicks: UInt64

    public init(bootID: String, pid: Int32, startTicks: UInt64) {
        self.bootID = bootID
        self.pid = pid
        self.startTicks = startTicks
    }

    /// This process.
    public static let current = ProcessIdentity(
        bootID: currentBootID, pid: getpid(), startTicks: startTicks(of: getpid()) ?? 0)

    /// `boot/pid/start`, as stored in the outbox.
    public var description: String { "\(bootID)/\(pid)/\(startTicks)" }

    /// Parses ``description``; nil for anything else.
    public init?(token: String) {
        let parts = token.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, let pid = Int32(parts[1]), pid > 0, let ticks = UInt64(parts[2]) else { return nil }
        self.init(bootID: String(parts[0]), pid: pid, startTicks: ticks)
    }

    /// Whether this process still runs: same boot, and the pid belongs to the same incarnation.
    public var isAlive: Bool {
        guard bootID == Self.currentBootID else { return false }
        if let ticks = Self.startTicks(of: pid) { return ticks == startTicks }
        // No /proc entry: the process is gone (or /proc is not mounted, then ask the kernel).
        if FileManager.default.fileExists(atPath: "/proc/self/stat") { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    private static let currentBootID: String = {
        let text = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "unknown-boot" : trimmed
    }()

    /// Field 22 of `/proc/PID/stat`; the command name (field 2) may hold spaces and parentheses,
    /// so fields are counted after its last ')'.
    static func startTicks(of pid: Int32) -> UInt64? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data.prefix(4096), as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After ")": field 3 is at index 0, so field 22 is at index 19.
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }
}
