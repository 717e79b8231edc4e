import Foundation

/// The demo clip of `scripts/make-demo-clip` (an image sequence of the fixture photos), made in a temp dir.
public enum DemoClip {
    /// Photo and number of frames, in order; at 2 fps each frame is 0.5 s of media time.
    public static let segments: [(photo: String, frames: Int)] = [
        ("keliamoniz1.jpg", 10), ("person.jpg", 10), ("keliamoniz2.jpg", 8), ("zidane.jpg", 8), ("keliamoniz1.jpg", 8),
        ("phone.jpg", 10), ("keliamoniz2.jpg", 6),
    ]

    /// Writes the clip as symlinks into `directory`.
    public static func make(in directory: String) throws {
        var index = 0
        for segment in segments {
            for _ in 0..<segment.frames {
                index += 1
                try FileManager.default.createSymbolicLink(
                    atPath: (directory as NSString).appendingPathComponent(String(format: "frame_%04d.jpg", index)),
                    withDestinationPath: TestAssets.photo(segment.photo))
            }
        }
    }
}
