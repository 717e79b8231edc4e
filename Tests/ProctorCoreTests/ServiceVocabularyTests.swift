import Testing

@testable import ProctorCore

/// The one table of the service's event names: what is sent, and how it reads back.
@Suite struct ServiceVocabularyTests {
    @Test func everyHighSeverityEpisodeIsCountedByTheServicesReportPage() {
        for type in EpisodeType.allCases {
            let name = EventTypeMapping.standard.eventType(for: type, severity: .high)
            if type == .lookingAway { continue }  // never high
            #expect(ServiceVocabulary.countedByReportPage.contains(name), "\(type) high goes out as \(name)")
        }
        // The service's own words where it has them.
        #expect(ServiceVocabulary.eventType(for: .phoneDetected, severity: .high) == "object_detected")
        #expect(ServiceVocabulary.eventType(for: .multipleFaces, severity: .high) == "multiple_faces_detected")
        #expect(ServiceVocabulary.eventType(for: .lookingAway, severity: .medium) == "gaze_detected")
        // A short absence is not reported as cheating.
        #expect(ServiceVocabulary.eventType(for: .faceAbsent, severity: .medium) == "face_absent")
    }

    @Test func whatIsSentReadsBackAsTheSameEpisodeType() {
        for type in EpisodeType.allCases {
            for severity in EpisodeSeverity.allCases {
                let name = ServiceVocabulary.eventType(for: type, severity: severity)
                let objects = ServiceVocabulary.detectedObjects(type: type, severity: severity, eventType: name, labels: [])
                #expect(ServiceVocabulary.episodeType(eventType: name, objects: objects) == type, "\(type) \(severity)")
            }
        }
        // A phone with a person in the frame is still a phone; the service's detector's names are read too.
        #expect(ServiceVocabulary.episodeType(eventType: "object_detected", objects: ["person", "cell phone"]) == .phoneDetected)
        #expect(ServiceVocabulary.episodeType(eventType: "multiple_persons", objects: []) == .extraPerson)
        #expect(ServiceVocabulary.episodeType(eventType: "object_detected", objects: ["book"]) == nil)
        #expect(ServiceVocabulary.episodeType(eventType: "tab_switch", objects: []) == nil)
        #expect(ServiceVocabulary.impliedSeverity(eventType: "object_detected", type: .faceAbsent) == .high)
    }

    @Test func aConfiguredNameGetsTheLabelsOnly() throws {
        let mapping = try EventTypeMapping([.cameraBlocked: "camera_blocked"])
        let name = mapping.eventType(for: .cameraBlocked, severity: .high)
        #expect(name == "camera_blocked")
        #expect(ServiceVocabulary.detectedObjects(type: .cameraBlocked, severity: .high, eventType: name, labels: []) == [])
        #expect(
            ServiceVocabulary.detectedObjects(type: .cameraBlocked, severity: .high, eventType: "object_detected", labels: [])
                == ["camera blocked"])
    }
}
