import Foundation
import ProctorTestSupport
import Testing

@testable import ProctorVision

/// Models are found beside an installed binary, and a model that is not the manifest's is caught.
@Suite struct ModelLocatorTests {
    @Test func findsModelsBesideTheBinary() throws {
        let root = try TemporaryDirectory(prefix: "installed")
        let share = root.path("share/proctor-vision/models")
        try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.path("bin/models"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: (share as NSString).appendingPathComponent(ModelLocator.faceModel)))
        try Data("y".utf8).write(to: URL(fileURLWithPath: root.path("bin/models/" + ModelLocator.objectModel)))
        let directories = ModelLocator.defaultDirectories(executable: root.path("bin/proctor"))
        let locator = ModelLocator(directories: directories.filter { $0.hasPrefix(root.url.path) || $0.hasPrefix(root.url.resolvingSymlinksInPath().path) })
        #expect(locator.path(for: ModelLocator.faceModel)?.hasSuffix("share/proctor-vision/models/" + ModelLocator.faceModel) == true, "\(directories)")
        #expect(locator.path(for: ModelLocator.objectModel)?.hasSuffix("bin/models/" + ModelLocator.objectModel) == true, "\(directories)")
        // Beside the binary comes before the system-wide install.
        let share1 = try #require(directories.firstIndex { $0.hasSuffix("share/proctor-vision/models") && $0.contains("installed") })
        let system = try #require(directories.firstIndex(of: "/usr/share/proctor-vision/models"))
        #expect(share1 < system)
    }

    @Test func eachFolderIsSearchedOnce() {
        // /tmp/proctor: its parent, the folders above it and the system install meet at / and /usr.
        let directories = ModelLocator.defaultDirectories(executable: "/tmp/proctor")
        #expect(Set(directories).count == directories.count, "\(directories)")
        #expect(directories.contains("/share/proctor-vision/models") && directories.last == "/usr/share/proctor-vision/models")
    }

    /// A FIFO or a device in place of a model or the manifest would block the hash (and `--version`)
    /// forever: they are "cannot be read", at once.
    @Test(.timeLimit(.minutes(1)))
    func aFIFOOrDeviceInPlaceOfAModelIsRefusedWithoutBlocking() throws {
        let folder = try TemporaryDirectory(prefix: "models")
        try FileManager.default.copyItem(
            at: TestAssets.modelsDirectory.appendingPathComponent("manifest.json"), to: folder.url.appendingPathComponent("manifest.json"))
        let face = folder.path(ModelLocator.faceModel)
        #expect(mkfifo(face, 0o600) == 0)
        let status = ModelStatus.check(path: face)
        #expect(!status.isUsable && status.text.contains("cannot be read"), "\(status.text)")
        let object = folder.path(ModelLocator.objectModel)
        #expect(symlink("/dev/zero", object) == 0)
        #expect(!ModelStatus.check(path: object).isUsable)
        // A FIFO manifest: no manifest, not a hang.
        let other = try TemporaryDirectory(prefix: "models")
        #expect(mkfifo(other.path("manifest.json"), 0o600) == 0)
        #expect(ModelManifest.load(directory: other.url.path) == nil)
    }

    @Test func aTruncatedModelFailsTheManifestCheck() throws {
        let folder = try TemporaryDirectory(prefix: "models")
        let source = TestAssets.modelsDirectory
        try FileManager.default.copyItem(at: source.appendingPathComponent("manifest.json"), to: folder.url.appendingPathComponent("manifest.json"))
        let intact = folder.path(ModelLocator.faceModel)
        try FileManager.default.copyItem(at: source.appendingPathComponent(ModelLocator.faceModel), to: URL(fileURLWithPath: intact))
        #expect(ModelStatus.check(path: intact).isUsable)
        let data = try Data(contentsOf: URL(fileURLWithPath: intact))
        try data.prefix(data.count - 1).write(to: URL(fileURLWithPath: intact))
        let status = ModelStatus.check(path: intact)
        #expect(!status.isUsable && status.text.contains("does not match manifest.json"), "\(status.text)")
        var factory = VisionPipelineFactory(locator: ModelLocator(directories: [folder.url.path]))
        factory.configuration.detectObjects = false
        #expect(factory.degradations().count == 1)
    }
}
