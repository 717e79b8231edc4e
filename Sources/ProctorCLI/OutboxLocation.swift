import ArgumentParser
import Foundation
import ProctorOutbox

/// Where the local outbox lives unless `--outbox` says otherwise.
struct OutboxOptions: ParsableArguments {
    @Option(help: "The outbox database (default: $PROCTOR_OUTBOX, else $XDG_DATA_HOME/proctor-vision/outbox.sqlite).")
    var outbox: String?

    var path: String { Self.path(explicit: outbox) }

    /// `explicit`, else `$PROCTOR_OUTBOX`, else `$XDG_DATA_HOME/proctor-vision/outbox.sqlite` (~/.local/share).
    static func path(explicit: String?) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        let environment = ProcessInfo.processInfo.environment
        if let fromEnvironment = environment["PROCTOR_OUTBOX"], !fromEnvironment.isEmpty { return fromEnvironment }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (data as NSString).appendingPathComponent("proctor-vision/outbox.sqlite")
    }
}

extension Outbox {
    /// Opens an existing outbox for a listing command: read-only, nothing created or changed.
    /// A missing file or one that is not an outbox exits 66, anything else 78.
    static func openForReading(_ path: String) throws -> Outbox {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.noInput("no outbox at \(path)") }
        do {
            return try Outbox(path: path, access: .readOnly)
        } catch {
            if case .notAnOutbox = error { throw Failure.noInput(error.description) }
            throw Failure.configuration("outbox \(path): \(error)")
        }
    }
}
