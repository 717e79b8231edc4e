import Foundation
import ProctorAgent
import ProctorReanalysis
import ProctorVision

/// What a session record keeps of what ran: the program and pipeline versions, the detectors that were
/// active, any degradation in words, the engine that actually ran (`auto` names a choice, not an
/// engine) and the effective settings.
enum SessionConfiguration {
    static func json(settings: MonitorSettings, factory: VisionPipelineFactory, degradations: [String]) -> String? {
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
        guard let merged = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return String(decoding: merged, as: UTF8.self)
    }
}
