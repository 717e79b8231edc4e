import Foundation

/// The proctoring service's event vocabulary, in one table: what the monitor sends for each episode
/// type, and how any stored `event_type` (the monitor's names or the service's) reads back.
///
/// The service's report page (`views.report_page`, `cheating_status`) counts only events whose
/// `event_type` is `object_detected`, `multiple_faces_detected` or `tab_switch`; an event under any
/// other name is stored but invisible there ("No Cheating Detected"). So every episode that can be
/// high severity is sent under a counted name, in the service's own words where it has them:
/// a phone is `object_detected` with `detected_objects: ["cell phone"]` (what its YOLO detector
/// writes), several faces `multiple_faces_detected`. Where it has no word, the episode goes out as
/// `object_detected` with a marker in `detected_objects` that names what was seen (`person`,
/// `different person`, `camera blocked`, `camera lost`, `no face`), which both counts on the page and reads back
/// unambiguously. Episodes that are never high (looking away: low, medium) keep the service's
/// detector name `gaze_detected`; a face absence below high stays `face_absent`, so a three-second
/// absence does not mark a student as cheating.
///
/// Core (what is sent), the delivery sinks (`detected_objects`), the report (reading events back)
/// and reanalysis (what a stored event claims) all use this table.
public enum ServiceVocabulary {
    /// The service's names its report page counts.
    public static let countedByReportPage: Set<String> = ["object_detected", "multiple_faces_detected", "tab_switch"]

    /// One row: an episode type (at the given severities) and how the service is told about it.
    public struct Entry: Sendable, Hashable {
        public var type: EpisodeType
        /// The severities this row applies to.
        public var severities: Set<EpisodeSeverity>
        public var eventType: String
        /// Added to `detected_objects`; tells types apart that share an `event_type`.
        public var marker: String?
    }

    private static let all = Set(EpisodeSeverity.allCases)

    /// The table, in read-back priority order (the first row whose name and marker match wins).
    public static let table: [Entry] = [
        Entry(type: .phoneDetected, severities: all, eventType: "object_detected", marker: "cell phone"),
        Entry(type: .multipleFaces, severities: all, eventType: "multiple_faces_detected", marker: nil),
        Entry(type: .extraPerson, severities: all, eventType: "object_detected", marker: "person"),
        Entry(type: .differentPerson, severities: all, eventType: "object_detected", marker: "different person"),
        Entry(type: .cameraBlocked, severities: all, eventType: "object_detected", marker: "camera blocked"),
        Entry(type: .cameraLost, severities: all, eventType: "object_detected", marker: "camera lost"),
        Entry(type: .faceAbsent, severities: [.high], eventType: "object_detected", marker: "no face"),
        Entry(type: .faceAbsent, severities: [.low, .medium], eventType: "face_absent", marker: nil),
        Entry(type: .lookingAway, severities: all, eventType: "gaze_detected", marker: nil),
    ]

    /// Other names for the same things, as the service's own detector and older monitors wrote them.
    public static let aliases: [String: EpisodeType] = [
        "multiple_persons": .extraPerson,
        "no_face": .faceAbsent,
    ]

    /// The row for an episode type at a severity.
    public static func entry(for type: EpisodeType, severity: EpisodeSeverity) -> Entry {
        table.first { $0.type == type && $0.severities.contains(severity) }
            ?? Entry(type: type, severities: all, eventType: type.rawValue, marker: nil)
    }

    /// The default `event_type` for an episode.
    public static func eventType(for type: EpisodeType, severity: EpisodeSeverity) -> String {
        entry(for: type, severity: severity).eventType
    }

    /// The `detected_objects` to send: the detector's labels plus the row's marker when the episode
    /// goes out under the row's name (a configured override of the name gets the labels only).
    public static func detectedObjects(
        type: EpisodeType, severity: EpisodeSeverity, eventType: String, labels: Set<String>
    ) -> [String] {
        let row = entry(for: type, severity: severity)
        var objects = labels
        if let marker = row.marker, row.eventType == eventType { objects.insert(marker) }
        return objects.sorted()
    }

    /// The episode type a stored event stands for, or nil when there is none (`tab_switch`, an
    /// object that is neither of ours, an unknown name).
    public static func episodeType(eventType: String, objects: [String]) -> EpisodeType? {
        let name = eventType.trimmingCharacters(in: .whitespaces).lowercased()
        if let own = EpisodeType(rawValue: name) { return own }
        let labels = Set(objects.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        if let marked = table.first(where: { $0.eventType == name && $0.marker.map(labels.contains) == true }) {
            return marked.type
        }
        if let plain = table.first(where: { $0.eventType == name && $0.marker == nil }) { return plain.type }
        return aliases[name]
    }

    /// The severity a stored event of `type` implies when its source records none: the highest the
    /// row it was sent under allows (a `no face` object means an absence long enough to be high).
    public static func impliedSeverity(eventType: String, type: EpisodeType) -> EpisodeSeverity? {
        let name = eventType.trimmingCharacters(in: .whitespaces).lowercased()
        let rows = table.filter { $0.type == type && $0.eventType == name }
        guard rows.count == 1, let only = rows.first, only.severities.count == 1 else { return nil }
        return only.severities.first
    }
}
