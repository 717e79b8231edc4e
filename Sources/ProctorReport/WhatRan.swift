import Foundation

/// What produced a session's episodes, as the monitor recorded it when the session started: program and
/// pipeline versions, the detectors that were active, the engine, the effective settings, and every
/// degradation (a missing or unverified model) in words.
public struct WhatRan: Sendable, Hashable, Codable {
    public var proctorVersion: String?
    public var pipelineVersion: String?
    public var detectors: [String]?
    public var inferenceEngine: String?
    /// Empty or nil for a full pipeline.
    public var degraded: [String]?
    /// The settings that matter to a reviewer, as `key=value` pairs (fps, sizes, object cadence).
    public var settings: String?

    public init(
        proctorVersion: String? = nil, pipelineVersion: String? = nil, detectors: [String]? = nil, inferenceEngine: String? = nil,
        degraded: [String]? = nil, settings: String? = nil
    ) {
        self.proctorVersion = proctorVersion
        self.pipelineVersion = pipelineVersion
        self.detectors = detectors
        self.inferenceEngine = inferenceEngine
        self.degraded = degraded
        self.settings = settings
    }

    public var isDegraded: Bool { !(degraded ?? []).isEmpty }

    /// Reads the session record's configuration JSON; nil when it holds nothing of this (sessions
    /// recorded before it existed) or is not JSON.
    public static func parse(configJSON: String?) -> WhatRan? {
        guard let configJSON, configJSON.utf8.count <= 1 << 20,
            let object = (try? JSONSerialization.jsonObject(with: Data(configJSON.utf8))) as? [String: Any]
        else { return nil }
        let shown = ["fps", "faceSide", "objectSize", "objectEvery", "identityEvery", "engine"]
        let settings = shown.compactMap { key in object[key].map { "\(key)=\($0)" } }.joined(separator: " ")
        let result = WhatRan(
            proctorVersion: object["proctorVersion"] as? String, pipelineVersion: object["pipelineVersion"] as? String,
            detectors: object["detectors"] as? [String], inferenceEngine: object["inferenceEngine"] as? String,
            degraded: object["degraded"] as? [String], settings: settings.isEmpty ? nil : settings)
        return result == WhatRan() ? nil : result
    }
}
