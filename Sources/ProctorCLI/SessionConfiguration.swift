import Foundation
import ProctorAgent
import ProctorReanalysis
import ProctorVision

/// What a session record keeps of what ran: the program and pipeline versions, the detectors that were
/// active, any degradation in words, the engine that actually ran (`auto` names a choice, not an
/// engine) and the effective settings.
enum SessionConfiguration {
    /// - Parameters:
    ///   - live: whether frames come from a camera or live stream (false: a replayed recording).
    ///   - sourceName: the device, file, folder or URL read; a URL's user and password are left out.
    static func json(
        settings: MonitorSettings, factory: VisionPipelineFactory, degradations: [String], live: Bool? = nil, sourceName: String? = nil
    ) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(settings),
            var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        object["inferenceEngine"] = factory.backend.description
        object["proctorVersion"] = VersionText.program
        object["pipelineVersion"] = (try? PipelineVersion(factory: factory, policy: settings.rules.policy).value) ?? "unknown (a model could not be read)"
        object["detectors"] = factory.activeDetectors
        object["degraded"] = degradations
        if let live {
            // The report says "replay" from this: a recording's times are not an exam's.
            var source: [String: Any] = ["kind": live ? "camera" : "replay"]
            if let sourceName { source["name"] = withoutCredentials(sourceName) }
            object["source"] = source
        }
        guard let merged = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return String(decoding: merged, as: UTF8.self)
    }

    /// `rtsp://user:secret@host/path` -> `rtsp://host/path`; anything else unchanged.
    static func withoutCredentials(_ name: String) -> String {
        guard let scheme = name.range(of: "://") else { return name }
        let rest = name[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return name }
        return String(name[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
    }
}
