import Foundation
import ProctorCore
import ProctorVision

/// Everything `proctor monitor` can be configured with, as read from a JSON file.
///
/// Every key is optional: a missing key keeps its default. Precedence, lowest to highest: defaults,
/// the file given with `--config`, `PROCTOR_*` environment variables, command-line flags.
public struct MonitorSettings: Sendable, Codable, Hashable {
    /// Frames analysed per second, whatever the camera delivers.
    public var fps: Double = 2
    /// Episode rules, per-frame thresholds and the event-type mapping.
    public var rules = EpisodeRules()
    /// Face detector working size and object detector input size.
    public var faceSide = VisionConfiguration().faceScale.workingSide
    public var objectSize = VisionConfiguration().objectInputSize
    /// Run the object detector on every Nth analysed frame (1 = every frame). The detector is most of the
    /// cost of a frame; at 2 fps, every second frame still checks for phones once a second, and the
    /// phone and extra-person rules count only the frames it ran on.
    public var objectEvery = 2
    /// JPEG quality of the evidence frame and the long side of its annotated thumbnail.
    public var evidenceQuality = 85
    public var thumbnailSide = 320
    /// Days to keep delivered evidence.
    public var retentionDays = 30.0

    public init() {}

    public init(from decoder: Decoder) throws {
        let defaults = MonitorSettings()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fps = try c.decodeIfPresent(Double.self, forKey: .fps) ?? defaults.fps
        rules = try c.decodeIfPresent(EpisodeRules.self, forKey: .rules) ?? defaults.rules
        faceSide = try c.decodeIfPresent(Int.self, forKey: .faceSide) ?? defaults.faceSide
        objectSize = try c.decodeIfPresent(Int.self, forKey: .objectSize) ?? defaults.objectSize
        objectEvery = try c.decodeIfPresent(Int.self, forKey: .objectEvery) ?? defaults.objectEvery
        evidenceQuality = try c.decodeIfPresent(Int.self, forKey: .evidenceQuality) ?? defaults.evidenceQuality
        thumbnailSide = try c.decodeIfPresent(Int.self, forKey: .thumbnailSide) ?? defaults.thumbnailSide
        retentionDays = try c.decodeIfPresent(Double.self, forKey: .retentionDays) ?? defaults.retentionDays
    }

    /// Reads a settings file; a one-line error names the file and the problem.
    public static func load(path: String) throws -> MonitorSettings {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SettingsError("cannot read config \(path): \((error as NSError).localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(MonitorSettings.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw SettingsError("config \(path): invalid JSON (\(context.debugDescription))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw SettingsError("config \(path): wrong type at \(key.isEmpty ? "top level" : key)")
        } catch {
            throw SettingsError("config \(path): \(error)")
        }
    }

    /// Overrides from `PROCTOR_FPS`, `PROCTOR_FACE_SIDE`, `PROCTOR_OBJECT_SIZE`, `PROCTOR_OBJECT_EVERY`,
    /// `PROCTOR_RETENTION_DAYS`.
    public mutating func apply(environment: [String: String]) throws {
        func number(_ key: String) throws -> Double? {
            guard let text = environment[key], !text.isEmpty else { return nil }
            guard let value = Double(text), value.isFinite else { throw SettingsError("\(key)=\(text) is not a number") }
            return value
        }
        if let value = try number("PROCTOR_FPS") { fps = value }
        if let value = try number("PROCTOR_FACE_SIDE") { faceSide = Int(value) }
        if let value = try number("PROCTOR_OBJECT_SIZE") { objectSize = Int(value) }
        if let value = try number("PROCTOR_OBJECT_EVERY") { objectEvery = Int(value) }
        if let value = try number("PROCTOR_RETENTION_DAYS") { retentionDays = value }
    }

    /// Checks ranges; the first problem as a one-line error.
    public func validate() throws {
        guard fps > 0, fps <= 30 else { throw SettingsError("fps must be in (0, 30], got \(fps)") }
        guard faceSide >= 64 else { throw SettingsError("faceSide must be at least 64") }
        guard objectSize >= 64, objectSize % 32 == 0 else { throw SettingsError("objectSize must be a multiple of 32, at least 64") }
        guard (1...100).contains(evidenceQuality) else { throw SettingsError("evidenceQuality must be 1...100") }
        guard thumbnailSide >= 32 else { throw SettingsError("thumbnailSide must be at least 32") }
        guard retentionDays > 0 else { throw SettingsError("retentionDays must be positive") }
        do {
            try rules.validate()
        } catch {
            throw SettingsError("rules: \(error)")
        }
    }

    /// The vision configuration these settings select.
    public var vision: VisionConfiguration {
        var configuration = VisionConfiguration()
        configuration.faceScale.workingSide = faceSide
        configuration.objectInputSize = objectSize
        configuration.faceScoreThreshold = rules.policy.minFaceScore
        configuration.faceSearch.confidentScore = rules.policy.minFaceScore
        configuration.faceSearch.minContrast = rules.policy.minContrast
        configuration.phoneSecondLook.confidentScore = rules.policy.minPhoneScore
        return configuration
    }
}

/// A problem with the monitor's configuration.
public struct SettingsError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
