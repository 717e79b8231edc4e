import Crypto
import Foundation
import ProctorCore
import ProctorVision

/// Names the analysis that produced a finding: the model files' sha256, the rules version and the settings.
///
/// Findings are unique per image and version, so a model upgrade, a rules change or different
/// thresholds start a fresh set of findings while an unchanged pipeline resumes where it stopped.
/// Looks like `m3f2a9c1d0b4e5a67-r1-c0a1b2c3d`: models, rules version, settings (thresholds, input sizes);
/// on OpenVINO `-eopenvino2026.4.1` follows (a different engine is a different pipeline, though its
/// detections agree with OpenCV's; OpenCV keeps the suffix-less form so earlier findings stay current).
public struct PipelineVersion: Sendable, Hashable, CustomStringConvertible {
    /// Bump when ``AgreementPolicy``, ``VerdictPolicy`` or the findings' shape change meaning.
    public static let rulesVersion = 2

    public let value: String

    public init(_ value: String) { self.value = value }

    /// Fingerprints the factory's model files (or the Haar cascade when YuNet is missing) and settings.
    /// - Parameter identity: the identity comparison's model and policy, when findings carry identity.
    public init(factory: VisionPipelineFactory, policy: VerdictPolicy, identity: (model: String, policy: IdentityPolicy)? = nil)
        throws(ReanalysisError)
    {
        var models = SHA256()
        let files = [factory.faceModelPath ?? factory.haarCascadePath, factory.objectModelPath, identity?.model].compactMap { $0 }
        for file in files {
            guard let handle = FileHandle(forReadingAtPath: file) else { throw .configuration("cannot read model \(file)") }
            defer { try? handle.close() }
            models.update(data: Data((file as NSString).lastPathComponent.utf8))
            while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { models.update(data: chunk) }
        }
        var settings = Self.settingsFingerprint(factory.configuration, policy)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // key order must not vary between processes
        if let identity, let threshold = try? encoder.encode(identity.policy) {
            settings = SHA256.hex(settings + "|" + String(decoding: threshold, as: UTF8.self))
        }
        value = "m\(models.hexDigest().prefix(16))-r\(Self.rulesVersion)-c\(settings.prefix(8))" + Self.engineSuffix(factory.backend)
    }

    public var description: String { value }

    static func engineSuffix(_ backend: InferenceBackend) -> String {
        switch backend.engine {
        case .opencv: return ""
        case .openvino: return "-e\(backend.engine.rawValue)\(backend.version)"
        }
    }

    private static func settingsFingerprint(_ configuration: VisionConfiguration, _ policy: VerdictPolicy) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let vision = (try? encoder.encode(configuration)) ?? Data()
        let rules = (try? encoder.encode(policy)) ?? Data()
        return SHA256.hex(String(decoding: vision, as: UTF8.self) + "|" + String(decoding: rules, as: UTF8.self))
    }
}
