/// Maps episode types to the service's `event_type` strings.
///
/// The default is the identity (`phone_detected` stays `phone_detected`); deployments override the
/// types the service names differently, e.g. `phone_detected` -> `object_detected`,
/// `extra_person` -> `multiple_persons`, `looking_away` -> `gaze_detected`. Encoded as a JSON object
/// of overrides keyed by episode type.
public struct EventTypeMapping: Sendable, Hashable, Codable {
    /// The service stores `event_type` in a 50-character column.
    public static let maxLength = 50

    /// The identity mapping.
    public static let identity = EventTypeMapping(validated: [:])

    /// Only the types that differ from their own raw value.
    public private(set) var overrides: [EpisodeType: String]

    /// A mapping with the given overrides; rejects empty names and names over ``maxLength`` characters.
    public init(_ overrides: [EpisodeType: String] = [:]) throws(EpisodeRulesError) {
        for type in EpisodeType.allCases {
            guard let name = overrides[type] else { continue }
            guard !name.isEmpty, name.count <= Self.maxLength else {
                throw EpisodeRulesError(
                    "event type for \(type.rawValue) must be 1...\(Self.maxLength) characters, got \"\(name)\"")
            }
        }
        self.overrides = overrides
    }

    private init(validated overrides: [EpisodeType: String]) { self.overrides = overrides }

    /// The service's `event_type` for an episode type.
    public func eventType(for type: EpisodeType) -> String { overrides[type] ?? type.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode([EpisodeType: String].self)
        do {
            try self.init(raw)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(overrides)
    }
}
