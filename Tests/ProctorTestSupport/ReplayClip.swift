import Foundation

/// A folder of frames for `proctor monitor --source`: links to the fixture photos, replayed in name order.
public enum ReplayClip {
    /// A new, empty folder `name` inside `folder`; its path.
    public static func folder(in folder: TemporaryDirectory, name: String = "clip") throws -> String {
        let clip = folder.path(name)
        try FileManager.default.createDirectory(atPath: clip, withIntermediateDirectories: true)
        return clip
    }

    /// Adds `frames` links to `photo`, named `<prefix>0000.jpg`, `<prefix>0001.jpg`, ..., to the folder `clip`.
    public static func addStill(_ photo: String, frames: Int, to clip: String, prefix: String = "f") throws {
        for index in 0..<frames {
            try FileManager.default.createSymbolicLink(
                atPath: (clip as NSString).appendingPathComponent(prefix + String(format: "%04d.jpg", index)),
                withDestinationPath: TestAssets.photo(photo))
        }
    }

    /// A clip of `frames` copies of one photo; its path.
    public static func still(_ photo: String, frames: Int, in folder: TemporaryDirectory, name: String = "clip") throws -> String {
        let clip = try Self.folder(in: folder, name: name)
        try addStill(photo, frames: frames, to: clip)
        return clip
    }

    /// A clip in which nobody's face is in view (person.jpg: a person, no face), so face_absent opens after
    /// 3 s of media time and stays open to the end; its path.
    public static func faceAbsent(frames: Int, in folder: TemporaryDirectory, name: String = "clip") throws -> String {
        try still("person.jpg", frames: frames, in: folder, name: name)
    }

    /// The demo clip (``DemoClip``: episodes that open and close); its path.
    public static func demo(in folder: TemporaryDirectory, name: String = "clip") throws -> String {
        let clip = try Self.folder(in: folder, name: name)
        try DemoClip.make(in: clip)
        return clip
    }
}
