import Foundation

#if canImport(Glibc)
import Glibc
#endif
import ProctorDelivery
import ProctorDatabaseTestSupport
import ProctorTestSupport

/// The delivery tests' questions about the service's database, and control of its server.
extension ServiceDatabase {
    /// How many events reference each episode's image; exactly-once means all ones.
    func eventsPerEpisode() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try query(
            "SELECT i.image, count(DISTINCT e.id) FROM proctoring_cheatingimage i JOIN proctoring_cheatingevent e ON e.id = i.event_id GROUP BY i.image")
        {
            if let image = row[0], let count = row[1].flatMap({ Int($0) }) { result[image] = count }
        }
        return result
    }

    /// Restarts the whole server with pg_ctl (fast shutdown: open connections are cut).
    static func restartServer() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let pgctl = environment["PROCTOR_TEST_PGCTL"], let log = environment["PROCTOR_TEST_PGLOG"] else {
            throw ServiceDatabaseError("PROCTOR_TEST_PGCTL is not set: run via scripts/with-postgres")
        }
        let status = shell("\(pgctl) restart -m fast -w -t 30 -l \(log) >/dev/null 2>&1")
        guard status == 0 else { throw ServiceDatabaseError("pg_ctl restart failed with status \(status)") }
    }

    /// Runs a shell command and waits for it with waitpid: Foundation's Process sometimes never
    /// notices pg_ctl's exit (its daemonised server outlives it), which hung the test.
    private static func shell(_ command: String) -> Int32 {
        var pid: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { $0.withCString { strdup($0) } } + [nil]
        defer { arguments.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, arguments, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}

typealias TestDatabase = ServiceDatabase
typealias TestDatabaseError = ServiceDatabaseError
