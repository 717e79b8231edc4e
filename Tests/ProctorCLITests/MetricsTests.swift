import Foundation
import ProctorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `proctor monitor --metrics` and `--metrics-file`, scraped as Prometheus and node_exporter would.
@Suite(.requiresModels)
struct MetricsTests {
    let proctor: String

    init() throws {
        proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
    }

    @Test func theMetricsPortIsScrapedDuringAReplay() throws {
        let folder = try TemporaryDirectory()
        // Nobody in view for 50 s of media time at real pace: face_absent opens after 3 s.
        let clip = try ReplayClip.faceAbsent(frames: 200, in: folder)
        let run = try MonitorReplay.start(
            proctor, clip: clip, student: "s-1", outbox: folder.path("outbox.sqlite"),
            options: ["--realtime", "--fps", "4", "--metrics", "127.0.0.1:0"])
        // Port 0: the kernel picks a free one, and the startup log says which.
        #expect(run.waitForLog("metrics served", within: 30), "no 'metrics served' line: \(run.stderr)")
        let port = run.logLines.first { $0["msg"] as? String == "metrics served" }?["port"] as? Int
        let boundPort = try #require(port, "no port in the 'metrics served' line: \(run.stderr)")
        var scraped = ""
        let opened = RunningCommand.eventually(within: 30) {
            scraped = (try? Self.get(port: boundPort, path: "/metrics").body) ?? ""
            return Self.value(in: scraped, "proctor_episodes_opened_total{type=\"face_absent\"}") == 1
        }
        #expect(opened, "face_absent never counted; last scrape:\n\(scraped)")
        // A slow machine skips frames at real pace, so only "some": one latency sample per frame analysed
        let frames = Self.value(in: scraped, "proctor_frames_analysed_total") ?? 0
        #expect(frames >= 1)
        // (A scrape may fall between the two updates of one frame.)
        #expect(abs((Self.value(in: scraped, "proctor_frame_analysis_seconds_count") ?? -9) - frames) <= 1)
        #expect(scraped.contains("proctor_frame_analysis_seconds_bucket{le=\"+Inf\"}"))
        #expect(scraped.contains("# TYPE proctor_frame_analysis_seconds histogram"))
        #expect(Self.value(in: scraped, "proctor_outbox_pending_episodes") != nil)
        let missing = try Self.get(port: boundPort, path: "/other")
        #expect(missing.status == 404)
        run.signal(SIGTERM)
        #expect(run.wait(seconds: 15))
        #expect(run.exitStatus == 0, "stderr: \(run.stderr)")
        // The listener went away with the process.
        #expect(throws: (any Error).self) { try Self.get(port: boundPort, path: "/metrics") }
    }

    @Test func theTextfileHoldsTheFinalTotalsIncludingDelivery() throws {
        let service = try FakeProctoringService()
        // Phones are refused for good: delivery failures counted by reason, the outbox's failed gauge.
        service.reject(eventType: "object_detected")
        let folder = try TemporaryDirectory()
        let clip = try ReplayClip.demo(in: folder)
        let textfile = folder.path("textfile/proctor.prom")
        try FileManager.default.createDirectory(atPath: folder.path("textfile"), withIntermediateDirectories: true)
        let result = try CommandRunner.run(
            proctor,
            [
                "monitor", "--source", clip, "--student", "s-9", "--outbox", folder.path("outbox.sqlite"), "--api-url",
                service.baseURL.absoluteString, "--metrics-file", textfile,
            ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let text = try String(contentsOfFile: textfile, encoding: .utf8)
        let frames = DemoClip.segments.reduce(0) { $0 + $1.frames }
        #expect(Self.value(in: text, "proctor_frames_analysed_total") == Double(frames), "\(text)")
        #expect((Self.value(in: text, "proctor_episodes_opened_total{type=\"phone_detected\"}") ?? 0) >= 1, "\(text)")
        let episodes = try EpisodeListing.episodes(proctor, outbox: folder.path("outbox.sqlite"))
        let failed = episodes.filter { $0["delivery"] as? String == "failed" }.count
        let delivered = episodes.filter { $0["delivery"] as? String == "delivered" }.count
        #expect(failed >= 1)
        #expect(Self.value(in: text, "proctor_outbox_failed_episodes") == Double(failed), "\(text)")
        #expect(Self.value(in: text, "proctor_outbox_pending_episodes") == 0, "\(text)")
        #expect(
            Self.value(in: text, "proctor_delivery_failures_total{sink=\"api\",reason=\"rejected\"}") == Double(failed), "\(text)")
        #expect((Self.value(in: text, "proctor_delivery_attempts_total{sink=\"api\"}") ?? 0) >= Double(failed + delivered), "\(text)")
        // Opened by type adds up to every episode in the outbox.
        let openedTotal = text.split(separator: "\n").filter { $0.hasPrefix("proctor_episodes_opened_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        #expect(openedTotal == Double(episodes.count))
        // Written atomically: no temporary file left beside it; readable by node_exporter's user.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("textfile")) == ["proctor.prom"])
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: textfile)[.posixPermissions] as? Int)
        #expect(mode == 0o644)
    }

    @Test func aNonLoopbackAddressIsRefusedUnlessAllowed() throws {
        let folder = try TemporaryDirectory()
        let refused = try CommandRunner.run(
            proctor,
            ["monitor", "--source", folder.url.path, "--student", "s", "--outbox", folder.path("o.sqlite"), "--metrics", "0.0.0.0:9464"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--metrics-allow-remote"), "\(refused.stderr)")
        let malformed = try CommandRunner.run(
            proctor, ["monitor", "--source", folder.url.path, "--student", "s", "--metrics", "example.org:9464"])
        #expect(malformed.status == 64)
    }

    @Test func aBusyMetricsPortIsAConfigurationError() throws {
        // Hold a loopback port, then ask the monitor for the same one.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(listen(holder, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let folder = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: folder.path("f0001.jpg"), withDestinationPath: TestAssets.photo("person.jpg"))
        let result = try CommandRunner.run(
            proctor,
            ["monitor", "--source", folder.url.path, "--student", "s", "--outbox", folder.path("o.sqlite"), "--metrics", "127.0.0.1:\(port)"])
        #expect(result.status == 78, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("error:") && result.stderr.contains("\(port)"))
    }

    /// A textfile path that cannot be written at the start is refused like a busy port, not a warning
    /// that `-q` hides while node_exporter reads nothing all exam.
    @Test func anUnwritableMetricsFileIsAConfigurationError() throws {
        let folder = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: folder.path("f0001.jpg"), withDestinationPath: TestAssets.photo("person.jpg"))
        let textfile = folder.path("missing-folder/proctor.prom")
        let result = try CommandRunner.run(
            proctor, ["monitor", "--source", folder.url.path, "--student", "s", "--outbox", folder.path("o.sqlite"), "-q", "--metrics-file", textfile])
        #expect(result.status == 78, "stderr: \(result.stderr)")
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error: --metrics-file \(textfile)") }
        #expect(errors.count == 1, "\(result.stderr)")
    }

    // MARK: Helpers

    /// The value of the sample whose name and labels are exactly `series`.
    static func value(in exposition: String, _ series: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    struct Response {
        var status: Int
        var body: String
    }

    /// A plain HTTP/1.0 GET over a socket to 127.0.0.1:port.
    static func get(port: Int, path: String) throws -> Response {
        struct Refused: Error {}
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Refused() }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Refused() }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { throw Refused() }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += chunk[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Refused() }
        let statusLine = text[..<split.lowerBound].split(separator: "\r\n").first ?? ""
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return Response(status: status, body: String(text[split.upperBound...]))
    }
}
