import ArgumentParser
import Foundation

/// Where the local outbox lives unless `--outbox` says otherwise.
struct OutboxOptions: ParsableArguments {
    @Option(help: "The outbox database (default: $PROCTOR_OUTBOX, else $XDG_DATA_HOME/proctor-vision/outbox.sqlite).")
    var outbox: String?

    var path: String {
        if let outbox { return outbox }
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["PROCTOR_OUTBOX"], !explicit.isEmpty { return explicit }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (data as NSString).appendingPathComponent("proctor-vision/outbox.sqlite")
    }
}
