import ArgumentParser
import Foundation
import ProctorAgent
import ProctorCapture
import ProctorCore
import ProctorDelivery
import ProctorImaging
import ProctorOutbox
import ProctorPostgres
import ProctorVision

#if canImport(Glibc)
import Glibc
#endif

/// `proctor doctor`: checks that this machine can monitor and deliver, one line per check.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check models, camera, permissions, disk, outbox, config, API health, database schema and media root.",
        discussion: """
            Prints one line per check: ok, FAIL (with a hint) or skip (a check is skipped when its option is not \
            given). Each check is real: models are hashed against models/manifest.json and loaded, the camera \
            delivers one frame at --size. Never prints tokens or passwords. --format json for fleet tools.
            Example: proctor doctor --camera /dev/video0 --api-url https://exams.example.org --format json
            \(ExitStatus.line([(0, "nothing failed"), (1, "a check failed"), (64, nil)]))
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var engineOptions: EngineOptions

    @Option(help: "The camera device to check.")
    var camera = "/dev/video0"

    @Flag(help: "Skip the camera and video-group checks (a batch machine without one).")
    var noCamera = false

    @Option(help: "Camera frame size WIDTHxHEIGHT to grab a frame at (as monitor --size).")
    var size = "640x480"

    @Option(help: "The outbox to check (default: as monitor: $PROCTOR_OUTBOX, else $XDG_DATA_HOME/proctor-vision/outbox.sqlite).")
    var outbox: String?

    @Option(help: "The JSON settings file to validate (default: as monitor).")
    var config: String?

    @Option(help: "Least free space (MB) the outbox's file system must have.")
    var minFreeMB = 500

    @Option(help: "text or json.")
    var format = "text"

    @OptionGroup var delivery: DeliveryOptions

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        guard parsedSize != nil else { throw ValidationError("--size must look like 640x480 (16...8192 each way)") }
        guard (0...10_000_000).contains(minFreeMB) else { throw ValidationError("--min-free-mb must be in 0...10000000") }
    }

    var parsedSize: (width: Int, height: Int)? {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (16...8192).contains(parts[0]), (16...8192).contains(parts[1]) else { return nil }
        return (parts[0], parts[1])
    }

    enum Status: String { case ok, fail = "FAIL", skip }

    struct Check {
        var name: String
        var status: Status
        var detail: String
        var hint: String? = nil

        static func ok(_ name: String, _ detail: String) -> Check { Check(name: name, status: .ok, detail: detail) }
        static func fail(_ name: String, _ detail: String, hint: String? = nil) -> Check {
            Check(name: name, status: .fail, detail: detail, hint: hint)
        }
        static func skip(_ name: String, _ detail: String) -> Check { Check(name: name, status: .skip, detail: detail) }
    }

    func run() throws {
        OpenCVRuntime.quietLogs()
        var checks = modelChecks()
        checks.append(checkEngine())
        checks.append(checkModelsLoad())
        checks.append(checkDecoders())
        if noCamera {
            checks.append(.skip("camera", "--no-camera"))
            checks.append(.skip("video group", "--no-camera"))
        } else {
            checks.append(checkVideoGroup())
            checks.append(checkCamera())
        }
        let outboxPath = OutboxOptions.path(explicit: outbox)
        checks.append(checkOutbox(outboxPath))
        checks.append(checkDisk(outboxPath))
        checks.append(checkConfig())
        checks.append(checkAPI())
        checks.append(checkDatabase())
        checks.append(checkMediaRoot())
        emit(checks)
        if checks.contains(where: { $0.status == .fail }) { throw ExitCode(1) }
    }

    private func emit(_ checks: [Check]) {
        if format == "json" {
            let rows: [[String: Any]] = checks.map { check in
                var row: [String: Any] = ["name": check.name, "status": check.status.rawValue.lowercased(), "detail": check.detail]
                if let hint = check.hint { row["hint"] = hint }
                return row
            }
            let object: [String: Any] = ["ok": !checks.contains { $0.status == .fail }, "version": VersionText.program, "checks": rows]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                print(String(decoding: data, as: UTF8.self))
            }
            return
        }
        for check in checks {
            let status = check.status.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
            print("\(status)\(check.name): \(check.detail)" + (check.hint.map { " (hint: \($0))" } ?? ""))
        }
    }

    // MARK: Models

    /// Each model the pipeline may load, hashed against the manifest beside it.
    private func modelChecks() -> [Check] {
        let locator = global.locator
        let models: [(label: String, file: String, required: Bool)] = [
            ("model yunet", ModelLocator.faceModel, true), ("model yolox", ModelLocator.objectModel, true),
            ("model mobilefacenet", ModelLocator.embeddingModel, false),
        ]
        let hint = "run scripts/setup, reinstall the package, or give --models DIR holding the models and manifest.json"
        return models.map { model in
            switch ModelStatus.check(model.file, locator: locator) {
            case .verified(let path, let sha): return .ok(model.label, "\(path) sha256 \(sha.prefix(12)) matches the manifest")
            case .missing(let name):
                return model.required
                    ? .fail(model.label, "\(name) not found in \(locator.directories.joined(separator: ", "))", hint: hint)
                    : .skip(model.label, "\(name) not found (needed only for identity checks with a reference photo)")
            case .unverified(let path, let problem): return .fail(model.label, "\(path): \(problem)", hint: hint)
            }
        }
    }

    /// Which engine `analyze` and `monitor` would run with these settings, and why.
    private func checkEngine() -> Check {
        do {
            let choice = try engineOptions.choice()
            let (backend, notice) = try InferenceBackend.resolve(choice)
            var text = "\(backend) (--engine \(choice.rawValue))"
            if case .success(let runtime) = OpenVINORuntime.status, backend.engine == .openvino { text += ", \(runtime.libraryPath)" }
            if let notice { text += "; \(notice)" }
            return .ok("engine", text)
        } catch let failure as Failure {
            return .fail("engine", failure.description)
        } catch {
            return .fail("engine", "\(error)")
        }
    }

    /// The full pipeline built as the monitor builds it: every network is really loaded and run once on a
    /// plain grey webcam-sized frame (a runtime can read a model and still fail to compile it), and the
    /// face embedding network is loaded too when it is installed and matches the manifest.
    private func checkModelsLoad() -> Check {
        var factory = VisionPipelineFactory(locator: global.locator)
        let problems = factory.degradations()
        guard problems.isEmpty else { return .skip("models load", "not tried: a model above failed") }
        do {
            factory.backend = try InferenceBackend.resolve(try engineOptions.choice()).backend
            let pipeline = try factory.makePipeline()
            let grey = [UInt8](repeating: 128, count: 640 * 480 * 3)
            let frame = try grey.withUnsafeBytes { pixels throws(VisionError) in try Image.fromBGR(pixels, width: 640, height: 480, stride: 640 * 3) }
            _ = try pipeline.analyze(frame)
            guard case .verified(let embeddingPath, _) = ModelStatus.check(ModelLocator.embeddingModel, locator: global.locator) else {
                return .ok("models load", "YuNet and YOLOX load and run on \(factory.backend)")
            }
            _ = try FaceEmbedder(modelPath: embeddingPath, backend: factory.backend)
            return .ok("models load", "YuNet, YOLOX and MobileFaceNet load on \(factory.backend); YuNet and YOLOX run")
        } catch {
            return .fail("models load", "\(error)", hint: "the model files match the manifest but do not load: check the OpenCV/OpenVINO install")
        }
    }

    private func checkDecoders() -> Check {
        do {
            try IOLibrary.check()
            return .ok("decoders", "\(IOLibrary.fileName) loads (BMP/TIFF/WebP/PNM, rotated JPEG, video files)")
        } catch {
            return .fail(
                "decoders", error.message,
                hint: "reinstall the package, or put \(IOLibrary.fileName) next to the proctor binary (or give PROCTOR_CVIO_PATH)")
        }
    }

    // MARK: Camera

    static let videoGroupHint = "add the user to the camera's group: sudo usermod -aG video USER, then log in again (the systemd unit uses SupplementaryGroups=video)"

    /// Whether this process may open the camera by its group (or as root / by ownership).
    private func checkVideoGroup() -> Check {
        var info = stat()
        guard stat(camera, &info) == 0 else { return .skip("video group", "\(camera): \(String(cString: strerror(errno)))") }
        let group = getgrgid(info.st_gid).map { String(cString: $0.pointee.gr_name) } ?? "gid \(info.st_gid)"
        if geteuid() == 0 { return .ok("video group", "running as root") }
        if info.st_uid == geteuid() { return .ok("video group", "\(camera) is owned by this user") }
        var groups = [gid_t](repeating: 0, count: 256)
        let count = getgroups(Int32(groups.count), &groups)
        let member = getegid() == info.st_gid || (count > 0 && groups.prefix(Int(count)).contains(info.st_gid))
        guard member || info.st_mode & S_IROTH != 0 && info.st_mode & S_IWOTH != 0 else {
            return .fail("video group", "this user is not in group '\(group)', which owns \(camera)", hint: Self.videoGroupHint)
        }
        return .ok("video group", member ? "member of '\(group)', which owns \(camera)" : "\(camera) is open to everyone")
    }

    private func checkCamera() -> Check {
        guard let size = parsedSize else { return .fail("camera", "bad --size") }
        do {
            let probe = try CameraProbe.run(path: camera, width: size.width, height: size.height)
            return Self.describe(probe, path: camera)
        } catch {
            let hint: String? =
                switch error.kind {
                case .permissionDenied: Self.videoGroupHint
                case .notFound: "plug the camera in, or give --camera /dev/videoN (ls /dev/video*); --no-camera on a batch machine"
                case .busy: "close the other program using the camera (fuser \(camera))"
                default: nil
                }
            return .fail("camera", error.description, hint: hint)
        }
    }

    static func describe(_ probe: CameraProbe, path: String) -> Check {
        let name = probe.card.map { " (\($0))" } ?? ""
        let text = "\(path)\(name): offers \(probe.offeredFormats.joined(separator: ", ")); got \(probe.format); one frame "
            + "\(probe.width)x\(probe.height), brightness \(String(format: "%.0f", probe.brightness))/255"
        guard probe.brightness >= CameraProbe.darkBrightness else {
            return .fail("camera", text + " (too dark to analyse)", hint: "uncover the lens or light the room")
        }
        return .ok("camera", text)
    }

    // MARK: Storage

    /// The nearest existing directory at or above `path`'s directory.
    static func existingDirectory(for path: String) -> String {
        var directory = PathText.directory(of: path)
        while !directory.isEmpty, directory != "/", !FileManager.default.fileExists(atPath: directory) {
            directory = PathText.directory(of: directory)
        }
        return directory.isEmpty ? "." : directory
    }

    private func checkOutbox(_ path: String) -> Check {
        guard FileManager.default.fileExists(atPath: path) else {
            let parent = Self.existingDirectory(for: path)
            guard access(parent, W_OK) == 0 else {
                return .fail("outbox", "\(path) does not exist and \(parent) is not writable", hint: "give --outbox or set PROCTOR_OUTBOX to a writable place")
            }
            return .ok("outbox", "\(path) (not created yet; \(parent) is writable)")
        }
        do {
            let store = try Outbox(path: path, access: .readOnly)
            defer { store.close() }
            let problems = try store.integrityCheck()
            guard problems == ["ok"] else { return .fail("outbox", "\(path): \(problems.prefix(3).joined(separator: "; "))") }
            let pending = try store.pendingEpisodes(limit: Int(Int32.max)).count
            return .ok("outbox", "\(path), \(pending) episodes pending")
        } catch {
            return .fail("outbox", "\(path): \(error)")
        }
    }

    private func checkDisk(_ outboxPath: String) -> Check {
        let directory = Self.existingDirectory(for: outboxPath)
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return .fail("disk", "\(directory): \(String(cString: strerror(errno)))") }
        let free = Double(info.f_bavail) * Double(info.f_frsize) / 1_000_000
        let text = String(format: "%.0f MB free at %@ (outbox file system)", free, directory)
        guard free >= Double(minFreeMB) else {
            return .fail("disk", text + ", below \(minFreeMB) MB", hint: "free space there or move the outbox (--outbox / PROCTOR_OUTBOX); `proctor ship` delivers and retention deletes old evidence")
        }
        return .ok("disk", text)
    }

    // MARK: Settings and services

    private func checkConfig() -> Check {
        do {
            let sources = try SettingsSources.resolve(configFile: config, environment: ProcessInfo.processInfo.environment)
            return .ok("config", sources.file.map { "\($0) is valid" } ?? "no config file, defaults")
        } catch {
            return .fail("config", "\(error)", hint: "proctor config check shows the same; proctor config print the effective values")
        }
    }

    static let apiExpectation = "GET <api-url>/api/health/ answering 200 with JSON {\"success\": true, \"message\": \"...\"}"

    private func checkAPI() -> Check {
        guard delivery.apiURL != nil else { return .skip("api", "no --api-url") }
        do {
            guard let configuration = try delivery.apiConfiguration() else { return .skip("api", "no --api-url") }
            let message = try APISink(configuration: configuration).health()
            return .ok("api", "\(Redaction.redact(configuration.baseURL.absoluteString)): \(message)")
        } catch let failure as DeliveryFailure {
            return .fail("api", failure.message, hint: "expects \(Self.apiExpectation); episodes wait in the outbox meanwhile")
        } catch {
            return .fail("api", "\(error)", hint: "expects \(Self.apiExpectation)")
        }
    }

    private func checkDatabase() -> Check {
        guard let url = delivery.effectiveDatabaseURL else { return .skip("database", "no --database-url") }
        let shown = Redaction.redact(url)
        do {
            let connection = try PostgresConnection(url: url)
            defer { connection.close() }
            let missing = try ProctoringSchema.missingColumns(in: connection)
            guard missing.isEmpty else {
                return .fail("database", "\(shown): schema lacks \(missing.joined(separator: ", "))", hint: "run the service's Django migrations")
            }
            return .ok("database", "\(shown): reachable, proctoring tables present")
        } catch {
            return .fail("database", "\(shown): \(error.description)")
        }
    }

    private func checkMediaRoot() -> Check {
        guard let root = delivery.mediaRoot else { return .skip("media root", "no --media-root") }
        do {
            try MediaRoot(path: root).checkWritable()
            return .ok("media root", "\(root) is writable")
        } catch {
            return .fail("media root", error.message)
        }
    }
}
