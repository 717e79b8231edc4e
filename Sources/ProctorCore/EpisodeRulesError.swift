/// Why an episode configuration was rejected.
public struct EpisodeRulesError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "invalid episode rules: \(message)" }
}
