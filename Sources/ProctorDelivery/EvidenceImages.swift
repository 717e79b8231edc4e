import Foundation
import ProctorImaging

/// Preparing evidence and labels for the service.
enum EvidenceImages {
    /// The JPEG for the API: at most `maxSide` pixels on the long side, re-encoded at `quality`.
    ///
    /// Evidence that cannot be decoded is sent as stored rather than dropped: the service saves the
    /// bytes without decoding them, and a reviewer may still open them.
    static func downscaled(_ jpeg: Data, maxSide: Int, quality: Int) -> Data {
        do {
            let image = try Image.decode([UInt8](jpeg))
            let fitted = try image.fitting(maxSide: maxSide)
            return Data(try fitted.jpegData(quality: quality))
        } catch {
            return jpeg
        }
    }

    /// A small mid-grey JPEG standing in for episodes that have no frame; nil only if OpenCV cannot
    /// encode at all.
    static let placeholder: Data? = {
        let width = 64, height = 48
        let pixels = [UInt8](repeating: 128, count: width * height * 3)
        return pixels.withUnsafeBytes { buffer in
            guard let image = try? Image.fromBGR(buffer, width: width, height: height, stride: width * 3),
                let jpeg = try? image.jpegData(quality: 80)
            else { return nil }
            return Data(jpeg)
        }
    }()

    /// The labels as the service stores `detected_objects`: a JSON array of strings, sorted so
    /// replays write identical values.
    static func labelsJSON(_ labels: Set<String>) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(labels.sorted())) ?? Data("[]".utf8)
    }
}
