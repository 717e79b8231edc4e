import ProctorImaging

/// One real look through a camera for `proctor doctor`: open it as the monitor would, note the formats it
/// offers and the one negotiated, grab a single frame and measure its brightness.
public struct CameraProbe: Sendable {
    public var card: String?
    public var offeredFormats: [String]
    public var format: String
    public var width: Int
    public var height: Int
    /// Mean luma of the grabbed frame, 0-255: near 0 is a covered lens or a dark room.
    public var brightness: Double

    /// Frames darker than this are reported as too dark to analyse.
    public static let darkBrightness = 40.0

    /// Opens `path` at `width`x`height`, grabs one frame within `timeout` seconds and closes it again.
    public static func run(path: String, width: Int, height: Int, timeout: Double = 3) throws(CaptureError) -> CameraProbe {
        let camera = V4L2Camera(path: path, width: width, height: height, stallTimeout: timeout)
        try camera.open()
        defer { camera.close() }
        guard try camera.grab(until: { false }) != nil else { throw CaptureError(.stalled, "camera \(path) gave no frame") }
        let image = try camera.retrieve()
        let brightness: Double
        do {
            brightness = try image.quality().brightness
        } catch {
            throw CaptureError(.failed, "camera \(path): cannot measure the frame: \(error)")
        }
        return CameraProbe(
            card: camera.cardName, offeredFormats: camera.offeredFormats, format: camera.format?.description ?? "unknown",
            width: image.width, height: image.height, brightness: brightness)
    }
}
