import Foundation
import ProctorImaging

/// Reads the service's evidence files from its media root, saying why when one cannot be read.
public struct MediaEvidence: Sendable, Hashable {
    /// The service's MEDIA_ROOT.
    public let root: String
    /// Files larger than this are not evidence frames and are not read.
    public var maxBytes: Int

    public init(root: String, maxBytes: Int = 25_000_000) {
        self.root = root
        self.maxBytes = maxBytes
    }

    /// The bytes of the stored file `name` (e.g. `cheating_images/violation_<id>.jpg`), or why they cannot be had.
    public func read(_ name: String) -> Result<Data, MediaEvidenceProblem> {
        // A stored name is relative to the root; anything climbing out of it is not ours to read.
        guard let path = MediaRoot(path: root).path(for: name) else {
            return .failure(MediaEvidenceProblem(message: "Evidence missing: \(name) is not a path inside the media root."))
        }
        do {
            return .success(Data(try ImageLoader.readFile(path, limit: maxBytes)))
        } catch {
            return .failure(MediaEvidenceProblem(message: "Evidence missing: \(name) cannot be read (\(error))."))
        }
    }
}

/// Why an evidence file could not be read, worded for the report card.
public struct MediaEvidenceProblem: Error, Sendable, Hashable {
    public var message: String
}
