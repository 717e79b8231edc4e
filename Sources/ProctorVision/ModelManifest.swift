import Crypto
import Foundation
import ProctorCore

/// The expected sha256 of each model file, read from `manifest.json` in the models directory (the file
/// `scripts/setup` verifies downloads against), so a truncated or swapped model is caught before it runs.
public struct ModelManifest: Sendable {
    /// File name -> lowercase hex sha256.
    public let digests: [String: String]

    /// The largest manifest read: a real one is 2 kB.
    static let maxBytes = 1 << 20
    /// The largest model hashed: the pinned ones are 0.3 to 4 MB.
    static let maxModelBytes: Int64 = 256 << 20

    /// Whether `path` is (or links to) a regular file of at most `maxBytes`. Anything else (a FIFO, a
    /// device such as /dev/zero, a sparse file of gigabytes) would block the open or the read forever.
    static func isRegularFile(_ path: String, atMost maxBytes: Int64) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && Int64(info.st_size) <= maxBytes
    }

    public init(digests: [String: String]) { self.digests = digests }

    /// Reads `manifest.json` from `directory`; nil when there is none or it is not a manifest.
    public static func load(directory: String) -> ModelManifest? {
        let path = (directory as NSString).appendingPathComponent("manifest.json")
        guard isRegularFile(path, atMost: Int64(maxBytes)), let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maxBytes),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let files = object["files"] as? [[String: Any]]
        else { return nil }
        var digests: [String: String] = [:]
        for entry in files {
            if let file = entry["file"] as? String, let sha = entry["sha256"] as? String { digests[file] = sha.lowercased() }
        }
        return ModelManifest(digests: digests)
    }

    /// Digests already computed, by path, size and modification time: a model is hashed once per process
    /// however many checks ask (a model file is tens of megabytes).
    private nonisolated(unsafe) static var digestCache: [String: String] = [:]
    private static let digestCacheLock = NSLock()

    /// The sha256 of a file, read in 1 MiB pieces; nil when it cannot be read.
    public static func sha256(ofFile path: String) -> String? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let key = "\(path)\u{0}\(size)\u{0}\(modified)"
        if let cached = digestCacheLock.withLock({ digestCache[key] }) { return cached }
        guard let digest = computeSHA256(ofFile: path) else { return nil }
        digestCacheLock.withLock { digestCache[key] = digest }
        return digest
    }

    private static func computeSHA256(ofFile path: String) -> String? {
        guard isRegularFile(path, atMost: maxModelBytes), let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hash = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)  // nil (or empty) at the end of the file
            } catch {
                return nil
            }
            guard let chunk, !chunk.isEmpty else { break }
            hash.update(data: chunk)
        }
        return hash.hexDigest()
    }
}

/// What became of one model file the pipeline wants.
public enum ModelStatus: Sendable, Hashable {
    case verified(path: String, sha256: String)
    case missing(name: String)
    /// Found, but its content is not the manifest's (truncated, swapped) or there is no manifest to check it against.
    case unverified(path: String, problem: String)

    public var isUsable: Bool { if case .verified = self { true } else { false } }

    public var text: String {
        switch self {
        case .verified(let path, let sha): "\(path) sha256 \(sha.prefix(12)) matches manifest.json"
        case .missing(let name): "\(name) not found"
        case .unverified(let path, let problem): "\(path): \(problem)"
        }
    }

    /// Looks `name` up with `locator` and checks it against the manifest beside it.
    public static func check(_ name: String, locator: ModelLocator) -> ModelStatus {
        guard let path = locator.path(for: name) else { return .missing(name: name) }
        return check(path: path)
    }

    public static func check(path: String) -> ModelStatus {
        let name = (path as NSString).lastPathComponent
        guard let manifest = ModelManifest.load(directory: PathText.directory(of: path)) else {
            return .unverified(path: path, problem: "no manifest.json beside it to verify against")
        }
        guard let expected = manifest.digests[name] else { return .unverified(path: path, problem: "not listed in manifest.json") }
        guard let actual = ModelManifest.sha256(ofFile: path) else {
            return .unverified(path: path, problem: "cannot be read (not a regular file of at most \(ModelManifest.maxModelBytes >> 20) MB)")
        }
        guard actual == expected else {
            return .unverified(path: path, problem: "sha256 \(actual.prefix(12)) does not match manifest.json (\(expected.prefix(12))): truncated or replaced")
        }
        return .verified(path: path, sha256: actual)
    }
}

extension VisionPipelineFactory {
    /// Every way this factory would run below the full pipeline, in words: a missing or unverified face
    /// model (Haar fallback: no landmarks, no head pose), a missing or unverified object model (no phones,
    /// no extra persons). Empty when every model it needs matches the manifest.
    public func degradations() -> [String] {
        var result: [String] = []
        if let faceModelPath {
            let status = ModelStatus.check(path: faceModelPath)
            if !status.isUsable { result.append("face model \(status.text)") }
        } else {
            result.append("face model \(ModelLocator.faceModel) not found: the Haar cascade would run instead (no landmarks, no head pose)")
        }
        if configuration.detectObjects {
            if let objectModelPath {
                let status = ModelStatus.check(path: objectModelPath)
                if !status.isUsable { result.append("object model \(status.text)") }
            } else {
                result.append("object model \(ModelLocator.objectModel) not found: phones and extra persons would not be detected")
            }
        }
        return result
    }

    /// The detectors this factory runs, by name (recorded with each session).
    public var activeDetectors: [String] {
        var result = [faceModelPath != nil ? "yunet" : "haar"]
        if configuration.detectObjects, objectModelPath != nil { result.append("yolox") }
        if identity != nil { result.append("mobilefacenet") }
        return result
    }
}
