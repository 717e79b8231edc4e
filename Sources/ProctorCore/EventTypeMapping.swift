/// Maps episode types to the service's `event_type` strings.
///
/// The defaults are ``ServiceVocabulary``'s (the service's own names, chosen so its report page
/// counts every high-severity episode); a deployment may override the name of any type, e.g.
/// `extra_person` -> `multiple_persons`. Encoded as a JSON object of overrides keyed by episode type.
public struct EventTypeMapping: Sendable, Hashable, Codable {
    /// The service stores `event_type` in a 50-character column.
    public static let maxLength = 50

    /// No overrides: ``ServiceVocabulary``'s names.
    public static let standard = EventTypeMapping(validated: [:])

    /// Only the types whose name is configured.
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

    /// The service's `event_type` for an episode of `type` at `severity`.
    public func eventType(for type: EpisodeType, severity: EpisodeSeverity) -> String {
        overrides[type] ?? ServiceVocabulary.eventType(for: type, severity: severity)
    }

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
