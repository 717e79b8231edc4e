import Foundation
import Logging
import ProctorImaging
import ProctorVision

/// The monitor's one startup log line: version, source, models and the effective settings, with
/// numbers kept as numbers so a collector can query them.
enum StartupLine {
    static func metadata(
        session: String, source: String, outbox: String, factory: VisionPipelineFactory, configJSON: String?
    ) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "version": "\(VersionText.program)", "session": "\(session)", "source": "\(source)", "outbox": "\(outbox)",
            "engine": "\(factory.backend)", "opencv": "\(OpenCVRuntime.version)",
            "models": [
                "face": "\(factory.faceModelPath ?? "none: Haar cascade \(factory.haarCascadePath)")",
                "object": "\(factory.objectModelPath ?? "none: phones and extra persons not detected")",
            ],
        ]
        if let configJSON, let object = try? JSONSerialization.jsonObject(with: Data(configJSON.utf8)) {
            metadata["settings"] = value(object)
        }
        return metadata
    }

    /// JSON (as Foundation parsed it) as log metadata; numbers and booleans stay typed.
    static func value(_ json: Any) -> Logger.MetadataValue {
        switch json {
        case let dictionary as [String: Any]: return .dictionary(dictionary.mapValues(value))
        case let array as [Any]: return .array(array.map(value))
        case let text as String: return .string(text)
        case let number as NSNumber:
            switch String(cString: number.objCType) {
            case "c", "B": return .stringConvertible(number.boolValue)
            case "d", "f": return .stringConvertible(number.doubleValue)
            default: return .stringConvertible(number.intValue)
            }
        default: return .string("\(json)")
        }
    }
}
