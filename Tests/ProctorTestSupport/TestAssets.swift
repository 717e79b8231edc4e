import Foundation
import ProctorVision

/// Where the tests find the package's models, photos and generated fixtures.
public enum TestAssets {
    /// The package root, found from this source file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var modelsDirectory: URL { packageRoot.appendingPathComponent("models") }
    public static var photosDirectory: URL { packageRoot.appendingPathComponent("fixtures/photos") }
    /// Unusual-but-valid images written by `scripts/setup` (fixtures/make-unusual-images.py).
    public static var generatedDirectory: URL { packageRoot.appendingPathComponent("fixtures/generated") }

    /// The OpenVINO runtime's libraries as `scripts/setup` installs them.
    public static var openVINOLibraryDirectory: URL { packageRoot.appendingPathComponent(".openvino/lib") }

    public static func photo(_ name: String) -> String { photosDirectory.appendingPathComponent(name).path }
    public static func generated(_ name: String) -> String { generatedDirectory.appendingPathComponent(name).path }

    /// Whether `scripts/setup` has put the models and photos in place.
    public static var modelsAvailable: Bool {
        let locator = ModelLocator(directories: [modelsDirectory.path])
        return locator.path(for: ModelLocator.faceModel) != nil && locator.path(for: ModelLocator.objectModel) != nil
            && FileManager.default.fileExists(atPath: photo("zidane.jpg"))
    }

    public static let missingModelsMessage = "models or photos missing: run scripts/setup (it copies or downloads them)"

    /// A pipeline factory over the package's models with default settings.
    public static func factory(configuration: VisionConfiguration = VisionConfiguration()) -> VisionPipelineFactory {
        VisionPipelineFactory(configuration: configuration, locator: ModelLocator(directories: [modelsDirectory.path]))
    }

    /// The debug or release `proctor` binary next to the test bundle.
    public static var proctorBinary: String? {
        let bundleDirectory = Bundle.main.bundleURL
        for candidate in [bundleDirectory.appendingPathComponent("proctor"), bundleDirectory.deletingLastPathComponent().appendingPathComponent("proctor")]
        where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate.path
        }
        let debug = packageRoot.appendingPathComponent(".build/debug/proctor").path
        return FileManager.default.isExecutableFile(atPath: debug) ? debug : nil
    }
}

/// A fresh temporary directory, removed when the value is deinitialised.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init(prefix: String = "proctor-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }
}
