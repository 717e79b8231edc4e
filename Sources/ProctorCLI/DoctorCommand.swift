import ArgumentParser
import Foundation
import ProctorDelivery
import ProctorOutbox
import ProctorVision

#if canImport(Glibc)
import Glibc
#endif

/// `proctor doctor`: checks that this machine can monitor and deliver, one line per check.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check models, camera, outbox, API health, database schema and media root.",
        discussion: """
            Prints one line per check: ok, FAIL or skip (a check is skipped when its option is not given). \
            Never prints tokens or passwords.
            Example: proctor doctor --camera /dev/video0 --api-url https://exams.example.org
            \(ExitStatus.line([(0, "nothing failed"), (1, "a check failed"), (64, nil)]))
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var engineOptions: EngineOptions

    @Option(help: "The camera device to check.")
    var camera = "/dev/video0"

    @Flag(help: "Skip the camera check (a batch machine without one).")
    var noCamera = false

    @Option(help: "An outbox file to check (default: $PROCTOR_OUTBOX).")
    var outbox: String?

    @OptionGroup var delivery: DeliveryOptions

    private enum Outcome {
        case ok(String)
        case fail(String)
        case skip(String)
    }

    func run() throws {
        var failed = 0
        func report(_ name: String, _ outcome: Outcome) {
            let line: String
            switch outcome {
            case .ok(let text): line = "ok    \(name): \(text)"
            case .fail(let text):
                line = "FAIL  \(name): \(text)"
                failed += 1
            case .skip(let text): line = "skip  \(name): \(text)"
            }
            print(line)
        }
        report("models", checkModels())
        report("engine", checkEngine())
        report("camera", noCamera ? .skip("--no-camera") : checkCamera())
        report("outbox", checkOutbox())
        report("api", checkAPI())
        report("database", checkDatabase())
        report("media root", checkMediaRoot())
        if failed > 0 { throw ExitCode(1) }
    }

    private func checkModels() -> Outcome {
        let locator = global.locator
        let missing = [ModelLocator.faceModel, ModelLocator.objectModel].filter { locator.path(for: $0) == nil }
        guard missing.isEmpty else { return .fail("missing \(missing.joined(separator: ", ")) (run scripts/setup or give --models)") }
        return .ok(locator.path(for: ModelLocator.faceModel).map { ($0 as NSString).deletingLastPathComponent } ?? "found")
    }

    /// Which engine `analyze` and `monitor` would run with these settings, and why.
    private func checkEngine() -> Outcome {
        do {
            let choice = try engineOptions.choice()
            let (backend, notice) = try InferenceBackend.resolve(choice)
            var text = "\(backend) (--engine \(choice.rawValue))"
            if case .success(let runtime) = OpenVINORuntime.status, backend.engine == .openvino { text += ", \(runtime.libraryPath)" }
            if let notice { text += "; \(notice)" }
            return .ok(text)
        } catch let failure as Failure {
            return .fail(failure.description)
        } catch {
            return .fail("\(error)")
        }
    }

    private func checkCamera() -> Outcome {
        var info = stat()
        guard stat(camera, &info) == 0 else { return .fail("\(camera): \(String(cString: strerror(errno)))") }
        guard info.st_mode & S_IFMT == S_IFCHR else { return .fail("\(camera) is not a device") }
        let descriptor = open(camera, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .fail("cannot open \(camera): \(String(cString: strerror(errno)))") }
        close(descriptor)
        return .ok("\(camera) opens")
    }

    private func checkOutbox() -> Outcome {
        guard let path = outbox ?? ProcessInfo.processInfo.environment["PROCTOR_OUTBOX"], !path.isEmpty else {
            return .skip("no --outbox")
        }
        guard FileManager.default.fileExists(atPath: path) else { return .fail("no outbox at \(path)") }
        do {
            let store = try Outbox(path: path, access: .readOnly)
            defer { store.close() }
            let problems = try store.integrityCheck()
            guard problems == ["ok"] else { return .fail("\(path): \(problems.prefix(3).joined(separator: "; "))") }
            let pending = try store.pendingEpisodes(limit: Int(Int32.max)).count
            return .ok("\(path), \(pending) episodes pending")
        } catch {
            return .fail("\(error)")
        }
    }

    private func checkAPI() -> Outcome {
        guard delivery.apiURL != nil else { return .skip("no --api-url") }
        do {
            guard let configuration = try delivery.apiConfiguration() else { return .skip("no --api-url") }
            let message = try APISink(configuration: configuration).health()
            return .ok("\(Redaction.redact(configuration.baseURL.absoluteString)): \(message)")
        } catch let failure as DeliveryFailure {
            return .fail(failure.message)
        } catch {
            return .fail("\(error)")
        }
    }

    private func checkDatabase() -> Outcome {
        guard let url = delivery.effectiveDatabaseURL else { return .skip("no --database-url") }
        let shown = Redaction.redact(url)
        do {
            let connection = try PostgresConnection(url: url)
            defer { connection.close() }
            let missing = try ProctoringSchema.missingColumns(in: connection)
            guard missing.isEmpty else { return .fail("\(shown): schema lacks \(missing.joined(separator: ", "))") }
            return .ok("\(shown): reachable, proctoring tables present")
        } catch {
            return .fail("\(shown): \(error.description)")
        }
    }

    private func checkMediaRoot() -> Outcome {
        guard let root = delivery.mediaRoot else { return .skip("no --media-root") }
        do {
            try MediaRoot(path: root).checkWritable()
            return .ok("\(root) is writable")
        } catch {
            return .fail(error.message)
        }
    }
}
