import Crypto
import Foundation

/// Lowercase hex SHA-256 (swift-crypto), the form the model manifest and pipeline fingerprints use.
extension SHA256 {
    /// The digest of `text`'s UTF-8 bytes.
    public static func hex(_ text: String) -> String { hash(data: Data(text.utf8)).hex }

    /// The digest of everything fed so far.
    public func hexDigest() -> String { finalize().hex }
}

extension SHA256.Digest {
    /// Two lowercase hex digits per byte.
    public var hex: String { map { String(format: "%02x", $0) }.joined() }
}
