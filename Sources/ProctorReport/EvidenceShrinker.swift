import Foundation

/// Turns a stored evidence image into the small JPEG a report embeds.
public protocol EvidenceShrinker: Sendable {
    /// The image re-encoded to fit the report, aiming at no more than `maxBytes` of JPEG.
    func shrink(_ image: Data, kind: EvidenceKind, maxBytes: Int) throws(ReportError) -> SessionReport.Evidence
    /// The shrinker for full frames shown at full size on a click; nil leaves them out.
    var fullFrameShrinker: (any EvidenceShrinker)? { get }
}

extension EvidenceShrinker {
    public var fullFrameShrinker: (any EvidenceShrinker)? { nil }
}
