import Foundation
import ProctorAgent
import ProctorVision

/// What a session record keeps of its configuration: the settings plus the engine that actually ran
/// (`auto` names a choice, not an engine).
enum SessionConfiguration {
    static func json(settings: MonitorSettings, engine: InferenceBackend) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(settings),
            var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        object["inferenceEngine"] = engine.description
        guard let merged = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return String(decoding: merged, as: UTF8.self)
    }
}
