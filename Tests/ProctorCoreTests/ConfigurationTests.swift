import Foundation
import Testing
@testable import ProctorCore

/// Rule settings: defaults, JSON with omitted keys, validation, and event type names.
@Suite struct ConfigurationTests {
    @Test func defaultsMatchTheSpecification() {
        let rules = EpisodeRules()
        #expect(rules.faceAbsent.openAfter == 3)
        #expect(rules.faceAbsent.escalation == Escalation(after: 30, severity: .high))
        #expect(rules.cameraBlocked.openAfter == 3)
        #expect(rules.multipleFaces.openAfter == 1)
        #expect(rules.extraPerson.openAfter == 2)
        #expect(rules.lookingAway.openAfter == 4)
        #expect(rules.lookingAway.severity == .low)
        #expect(rules.lookingAway.escalation == Escalation(after: 15, severity: .medium))
        #expect(rules.phoneDetected.openWindow == 3 && rules.phoneDetected.openCount == 2)
        // The service's own vocabulary by default.
        #expect(rules.eventTypes.eventType(for: .phoneDetected, severity: .high) == "object_detected")
        #expect(rules.eventTypes.eventType(for: .multipleFaces, severity: .high) == "multiple_faces_detected")
        #expect(rules.eventTypes.eventType(for: .lookingAway, severity: .low) == "gaze_detected")
    }

    @Test func longestOpenDelayCoversTheSlowestRule() throws {
        #expect(try EpisodeEngine.make().longestOpenDelay == 4)
        #expect(try EpisodeEngine.make { $0.faceAbsent.openAfter = 6 }.longestOpenDelay == 6)
    }

    @Test func partialJSONKeepsDefaultsForOmittedKeys() throws {
        let json = """
            {"multipleFaces": {"openAfter": 2.5, "closeAfter": 1, "severity": "medium"},
             "eventTypes": {"phone_detected": "object_detected", "looking_away": "gaze_detected"}}
            """
        let rules = try JSONDecoder().decode(EpisodeRules.self, from: Data(json.utf8))
        #expect(rules.multipleFaces == DurationRule(openAfter: 2.5, closeAfter: 1, severity: .medium))
        #expect(rules.faceAbsent == EpisodeRules().faceAbsent)
        #expect(rules.policy == VerdictPolicy())
        #expect(rules.eventTypes.eventType(for: .phoneDetected, severity: .high) == "object_detected")
        #expect(rules.eventTypes.eventType(for: .lookingAway, severity: .high) == "gaze_detected")
        #expect(rules.eventTypes.eventType(for: .faceAbsent, severity: .medium) == "face_absent")

        let roundTrip = try JSONDecoder().decode(EpisodeRules.self, from: JSONEncoder().encode(rules))
        #expect(roundTrip == rules)
    }

    @Test func overlongEventTypesAreRejected() throws {
        #expect(throws: EpisodeRulesError.self) {
            try EventTypeMapping([.phoneDetected: String(repeating: "x", count: 51)])
        }
        #expect(throws: EpisodeRulesError.self) { try EventTypeMapping([.phoneDetected: ""]) }
        let json = #"{"eventTypes": {"camera_lost": "\#(String(repeating: "y", count: 60))"}}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(EpisodeRules.self, from: Data(json.utf8))
        }
        let mapping = try EventTypeMapping([.extraPerson: "multiple_persons"])
        #expect(mapping.eventType(for: .extraPerson, severity: .high) == "multiple_persons")
    }

    @Test func impossibleSettingsAreRejected() {
        var rules = EpisodeRules()
        rules.phoneDetected.openCount = 4
        #expect(throws: EpisodeRulesError.self) { try EpisodeEngine(rules: rules) }
        rules = EpisodeRules()
        rules.faceAbsent.openAfter = -1
        #expect(throws: EpisodeRulesError.self) { try EpisodeEngine(rules: rules) }
        rules = EpisodeRules()
        rules.cameraLost.closeAfter = .nan
        #expect(throws: EpisodeRulesError.self) { try EpisodeEngine(rules: rules) }
    }
}
