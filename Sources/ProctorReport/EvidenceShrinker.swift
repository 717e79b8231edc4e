import Foundation

/// Turns a stored evidence image into the small JPEG a report embeds.
public protocol EvidenceShrinker: Sendable {
    /// The image re-encoded to fit the report, aiming at no more than `maxBytes` of JPEG.
    func shrink(_ image: Data, kind: EvidenceKind, maxBytes: Int) throws(ReportError) -> SessionReport.Evidence
}
