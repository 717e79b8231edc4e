import Foundation
import ProctorImaging

/// Downscales evidence with OpenCV: at most ``maxSide`` px at JPEG ``quality``, smaller when over budget.
///
/// A 1,000-episode session must stay a page a browser opens quickly, so each image gets a share of
/// a byte budget; an image over its share is scaled down by the square root of the overshoot (JPEG
/// size grows with area) and encoded once more.
public struct JPEGEvidenceShrinker: EvidenceShrinker {
    public var maxSide: Int
    public var quality: Int
    /// Never scale below this long side: past it a frame no longer proves anything.
    public var minimumSide: Int

    public init(maxSide: Int = 480, quality: Int = 70, minimumSide: Int = 160) {
        self.maxSide = maxSide
        self.quality = quality
        self.minimumSide = minimumSide
    }

    /// Full frames for the click-to-enlarge view: at most 1,280 px on the long side, which is a 720p
    /// webcam frame at its own size and wider than the view leaves room for on a laptop screen, so a
    /// 1,920 px frame would cost about twice the bytes without showing more; never below 640 px (under
    /// that the card's thumbnail shows as much).
    public var fullFrameShrinker: (any EvidenceShrinker)? {
        JPEGEvidenceShrinker(maxSide: 1_280, quality: 75, minimumSide: 640)
    }

    public func shrink(_ image: Data, kind: EvidenceKind, maxBytes: Int) throws(ReportError) -> SessionReport.Evidence {
        do {
            let decoded = try Image.decode([UInt8](image))
            var fitted = try decoded.fitting(maxSide: maxSide)
            var jpeg = try fitted.jpegData(quality: quality)
            let side = max(fitted.width, fitted.height)
            if jpeg.count > maxBytes, side > minimumSide {
                // 0.9: JPEG headers do not shrink with area, so aim a little under the share.
                let factor = (Double(maxBytes) / Double(jpeg.count)).squareRoot() * 0.9
                let target = max(minimumSide, Int(Double(side) * factor))
                fitted = try decoded.fitting(maxSide: target)
                jpeg = try fitted.jpegData(quality: quality)
            }
            return SessionReport.Evidence(
                width: fitted.width, height: fitted.height, kind: kind,
                dataURI: "data:image/jpeg;base64," + Data(jpeg).base64EncodedString())
        } catch {
            throw .rendering("evidence image unreadable: \(error)")
        }
    }
}
