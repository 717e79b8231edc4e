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
    /// With a reference photo, a candidate face that matched and stays in place is compared again on
    /// every Nth analysed frame (the embedding costs about as much as face detection); a new face, a
    /// lost track or a mismatch is compared at once.
    public var identityEvery = 4
    /// JPEG quality of the evidence frame and the long side of its annotated thumbnail.
    public var evidenceQuality = 85
    public var thumbnailSide = 320
    /// Days to keep delivered evidence.
    public var retentionDays = 30.0
    /// The inference engine: auto (OpenVINO when its runtime is present, else OpenCV), openvino, opencv.
    public var engine = EngineChoice.auto

    public init() {}

    public init(from decoder: Decoder) throws {
        let defaults = MonitorSettings()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fps = try c.decodeIfPresent(Double.self, forKey: .fps) ?? defaults.fps
        rules = try c.decodeIfPresent(EpisodeRules.self, forKey: .rules) ?? defaults.rules
        faceSide = try c.decodeIfPresent(Int.self, forKey: .faceSide) ?? defaults.faceSide
        objectSize = try c.decodeIfPresent(Int.self, forKey: .objectSize) ?? defaults.objectSize
        objectEvery = try c.decodeIfPresent(Int.self, forKey: .objectEvery) ?? defaults.objectEvery
        identityEvery = try c.decodeIfPresent(Int.self, forKey: .identityEvery) ?? defaults.identityEvery
        evidenceQuality = try c.decodeIfPresent(Int.self, forKey: .evidenceQuality) ?? defaults.evidenceQuality
        thumbnailSide = try c.decodeIfPresent(Int.self, forKey: .thumbnailSide) ?? defaults.thumbnailSide
        retentionDays = try c.decodeIfPresent(Double.self, forKey: .retentionDays) ?? defaults.retentionDays
        engine = try c.decodeIfPresent(EngineChoice.self, forKey: .engine) ?? defaults.engine
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
    /// `PROCTOR_RETENTION_DAYS`, `PROCTOR_ENGINE`; a bad value is an error naming the variable.
    public mutating func apply(environment: [String: String]) throws {
        func number(_ key: String) throws -> Double? {
            guard let text = environment[key], !text.isEmpty else { return nil }
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw SettingsError("\(key)=\(text) is not a number")
            }
            return value
        }
        // Checked as a Double first: converting 1e30 to Int would trap.
        func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let value = try number(key) else { return nil }
            guard value.rounded() == value, value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
                throw SettingsError("\(key)=\(environment[key] ?? "") must be a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return Int(value)
        }
        func check(_ key: String, _ problem: String?) throws {
            if let problem { throw SettingsError("\(key)=\(environment[key] ?? ""): \(problem)") }
        }
        if let value = try number("PROCTOR_FPS") {
            try check("PROCTOR_FPS", Self.problem(fps: value))
            fps = value
        }
        if let value = try integer("PROCTOR_FACE_SIDE", Self.faceSides) { faceSide = value }
        if let value = try integer("PROCTOR_OBJECT_SIZE", Self.objectSizes) {
            try check("PROCTOR_OBJECT_SIZE", Self.problem(objectSize: value))
            objectSize = value
        }
        if let value = try integer("PROCTOR_OBJECT_EVERY", Self.objectEveries) { objectEvery = value }
        if let value = try number("PROCTOR_RETENTION_DAYS") {
            try check("PROCTOR_RETENTION_DAYS", Self.problem(retentionDays: value))
            retentionDays = value
        }
        do {
            if let value = try EngineChoice.fromEnvironment(environment) { engine = value }
        } catch {
            throw SettingsError(error.message)
        }
    }

    /// Bounds of every setting: sizes in pixels within what the detectors and JPEG encoder handle,
    /// counts and durations that cannot overflow the arithmetic they feed.
    public static let faceSides = 64...4096
    public static let objectSizes = 64...4096
    public static let thumbnailSides = 32...4096
    public static let objectEveries = 1...1000
    public static let identityEveries = 1...1000
    public static let evidenceQualities = 1...100
    public static let maxRetentionDays = 36_500.0

    /// From one frame every 100 s to 30 a second: a rate near 0 puts frames 1e300 s apart, which no clock,
    /// timer or report can hold.
    public static let fpsRange: ClosedRange<Double> = 0.01...30

    static func problem(fps: Double) -> String? {
        fpsRange.contains(fps) ? nil : "fps must be in 0.01...30, got \(fps)"
    }

    static func problem(objectSize: Int) -> String? {
        objectSizes.contains(objectSize) && objectSize % 32 == 0
            ? nil : "objectSize must be a multiple of 32 in \(objectSizes.lowerBound)...\(objectSizes.upperBound), got \(objectSize)"
    }

    static func problem(retentionDays: Double) -> String? {
        retentionDays.isFinite && retentionDays > 0 && retentionDays <= maxRetentionDays
            ? nil : "retentionDays must be in (0, \(Int(maxRetentionDays))], got \(retentionDays)"
    }

    static func problem(_ name: String, _ value: Int, in range: ClosedRange<Int>) -> String? {
        range.contains(value) ? nil : "\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)"
    }

    /// Checks every bound; the first problem as a one-line error, prefixed with `source` (e.g. the
    /// config file) when given.
    public func validate(source: String? = nil) throws {
        let problems: [String?] = [
            Self.problem(fps: fps),
            Self.problem("faceSide", faceSide, in: Self.faceSides),
            Self.problem(objectSize: objectSize),
            Self.problem("objectEvery", objectEvery, in: Self.objectEveries),
            Self.problem("identityEvery", identityEvery, in: Self.identityEveries),
            Self.problem("evidenceQuality", evidenceQuality, in: Self.evidenceQualities),
            Self.problem("thumbnailSide", thumbnailSide, in: Self.thumbnailSides),
            Self.problem(retentionDays: retentionDays),
        ]
        let prefix = source.map { "\($0): " } ?? ""
        if let problem = problems.compactMap({ $0 }).first { throw SettingsError(prefix + problem) }
        do {
            try rules.validate()
        } catch {
            throw SettingsError(prefix + "rules: \(error)")
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
