// swift-tools-version: 6.1
import PackageDescription

/// OpenCV comes from the system (Debian `libopencv-dev`). Only the libraries the shim calls are linked:
/// the `opencv4` pkg-config set would pull hundreds of shared libraries into every process.
let openCVInclude = "/usr/include/opencv4"
/// imgcodecs and videoio are not among them: loading them maps GDAL, GDCM, poppler, OpenEXR, ffmpeg
/// and gstreamer (about 60 MB resident). They live in the ProctorCVIO dynamic library, which CVShim
/// dlopens only when a non-JPEG image or a video file is read.
let openCVLibraries: [LinkerSetting] = [
    "opencv_core", "opencv_imgproc", "opencv_dnn", "opencv_objdetect", "opencv_calib3d",
].map { .linkedLibrary($0) }
let openCVIOLibraries: [LinkerSetting] = [
    "opencv_core", "opencv_imgproc", "opencv_imgcodecs", "opencv_videoio",
].map { .linkedLibrary($0) }

let package = Package(
    name: "proctor-vision",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "proctor", targets: ["ProctorCLI"]),
        .library(name: "ProctorVision", targets: ["ProctorVision"]),
        .library(name: "ProctorCore", targets: ["ProctorCore"]),
        // libProctorCVIO.so: must sit next to the proctor binary (CVShim loads it from there). Not built
        // by `swift build --product proctor`: build it with `--product ProctorCVIO` or a plain `swift build`.
        .library(name: "ProctorCVIO", type: .dynamic, targets: ["CVShimIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // Libraries count through swift-metrics only; the CLI bootstraps the Prometheus backend
        // (swift-prometheus needs only swift-atomics besides: no NIO).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        // SHA-256 for model and pipeline fingerprints.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Graceful, ordered shutdown of the long-running commands (monitor, reanalyze) on SIGTERM/SIGINT/SIGHUP.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // Thin C++ shim over OpenCV with a plain C header; every entry point catches C++ exceptions.
        // JPEG goes through TurboJPEG (Debian libturbojpeg0-dev), PNG through libpng (libpng-dev: its messages
        // are caught, see cvshim_png.h); dl is for loading ProctorCVIO.
        .target(
            name: "CVShim",
            // CVShimIO's header only declares the entry points CVShim resolves with dlsym.
            // .openvino/include: the OpenVINO C headers scripts/setup unpacks (the runtime itself is dlopened).
            cxxSettings: [
                .unsafeFlags([
                    "-I\(openCVInclude)", "-O2", "-I\(Context.packageDirectory)/Sources/CVShimIO/include",
                    "-I\(Context.packageDirectory)/.openvino/include",
                ])
            ],
            linkerSettings: openCVLibraries + [.linkedLibrary("turbojpeg"), .linkedLibrary("png16"), .linkedLibrary("dl")]
        ),
        // The shim's imgcodecs and videoio half, shipped as libProctorCVIO.so and reached only through
        // dlopen/dlsym from CVShim (no target may depend on it, or it would be linked in statically).
        // Shares CVShim's internal headers (pv_image, the exception guard) and public header.
        .target(
            name: "CVShimIO",
            cxxSettings: [
                .unsafeFlags([
                    "-I\(openCVInclude)", "-O2", "-I\(Context.packageDirectory)/Sources/CVShim",
                    "-I\(Context.packageDirectory)/Sources/CVShim/include",
                ])
            ],
            linkerSettings: openCVIOLibraries
        ),
        // Pure Swift domain: observations, verdicts, rules. No C imports.
        .target(name: "ProctorCore"),
        // Swift API over the shim's images: decoding (with its header checks and limits), pixel buffers,
        // resizing, JPEG encoding, video files. What capture, delivery and reports need without detectors.
        .target(name: "ProctorImaging", dependencies: ["CVShim", "ProctorCore"]),
        // Swift API over the shim's models: detectors, head pose, frame quality, the per-frame pipeline.
        .target(
            name: "ProctorVision",
            dependencies: ["CVShim", "ProctorCore", "ProctorImaging", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Non-variadic wrappers over libv4l2 and the V4L2 ioctl numbers, which Swift cannot call or see.
        .target(name: "CV4L2", linkerSettings: [.linkedLibrary("v4l2")]),
        // Frame sources: V4L2 cameras, video files/streams, image sequences; fixed-rate sampling.
        .target(name: "ProctorCapture", dependencies: ["CV4L2", "ProctorImaging"]),
        // SQLite from the system (Debian libsqlite3-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // The durable local outbox of sessions, episodes and evidence.
        .target(name: "ProctorOutbox", dependencies: ["CSQLite", "ProctorCore"]),
        // Session reports for reviewers: one self-contained HTML page (or JSON) per session.
        // Reads the local outbox, or the service's database through ProctorPostgres.
        .target(name: "ProctorReport", dependencies: ["ProctorCore", "ProctorOutbox", "ProctorImaging", "ProctorPostgres"]),
        // The workstation agent's run: frames -> analysis -> episodes -> outbox, with evidence, and delivery
        // alongside, as services under the stop signals (swift-service-lifecycle).
        .target(
            name: "ProctorAgent",
            dependencies: [
                "ProctorCapture", "ProctorVision", "ProctorImaging", "ProctorCore", "ProctorOutbox", "ProctorDelivery",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "ProctorCLI",
            dependencies: [
                "ProctorVision", "ProctorImaging", "ProctorCore", "ProctorCapture", "ProctorOutbox", "ProctorAgent", "ProctorReport",
                "ProctorDelivery", "ProctorPostgres", "ProctorReanalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "ProctorTestSupport", dependencies: ["ProctorVision", "ProctorImaging", "ProctorCore"], path: "Tests/ProctorTestSupport"),
        // A fresh service database per test on the PostgreSQL that scripts/with-postgres starts.
        .target(
            name: "ProctorDatabaseTestSupport", dependencies: ["ProctorPostgres", "ProctorTestSupport"],
            path: "Tests/ProctorDatabaseTestSupport"),
        .testTarget(name: "ProctorCoreTests", dependencies: ["ProctorCore"]),
        .testTarget(
            name: "ProctorReportTests",
            dependencies: [
                "ProctorReport", "ProctorOutbox", "ProctorCore", "ProctorVision", "ProctorImaging", "ProctorPostgres",
                "ProctorTestSupport", "ProctorDatabaseTestSupport",
            ]),
        .testTarget(
            name: "ProctorAgentTests",
            dependencies: [
                "ProctorAgent", "ProctorCapture", "ProctorCore", "ProctorImaging", "ProctorOutbox", "ProctorVision", "ProctorTestSupport",
                .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        // Imports ProctorCLI for its own types (TimestampArgument); the commands run as the built `proctor` binary.
        .testTarget(name: "ProctorCLITests", dependencies: ["ProctorCLI", "ProctorTestSupport", "ProctorOutbox", "ProctorVision"]),
        .testTarget(name: "ProctorVisionTests", dependencies: ["ProctorVision", "ProctorImaging", "ProctorCore", "ProctorTestSupport"]),
        // A fake V4L2 device behind the same entry points the real capture code calls.
        .target(name: "FakeV4L2", dependencies: ["CV4L2"], path: "Tests/FakeV4L2"),
        .testTarget(name: "ProctorCaptureTests", dependencies: ["ProctorCapture", "ProctorImaging", "CV4L2", "FakeV4L2"]),
        // Writes episodes until SIGKILLed; the outbox crash-safety test runs the built binary as a separate process.
        .executableTarget(name: "OutboxCrashWriter", dependencies: ["ProctorOutbox", "ProctorCore"], path: "Tests/OutboxCrashWriter"),
        .testTarget(name: "ProctorOutboxTests", dependencies: ["ProctorOutbox", "ProctorCore", "CSQLite"]),
        // libpq from the system (Debian libpq-dev), for writing straight into the service's database.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ"),
        // The service's PostgreSQL database over libpq: connections, secret-free errors, one reading of SQLSTATE.
        .target(name: "ProctorPostgres", dependencies: ["CLibPQ"]),
        // Ships outbox episodes to the proctoring service: its REST API or its PostgreSQL database.
        .target(
            name: "ProctorDelivery",
            dependencies: [
                "ProctorPostgres", "ProctorOutbox", "ProctorCore", "ProctorImaging",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Needs a real PostgreSQL server: run through scripts/test or scripts/with-postgres.
        .testTarget(
            name: "ProctorDeliveryTests",
            dependencies: [
                "ProctorDelivery", "ProctorPostgres", "ProctorOutbox", "ProctorCore", "ProctorImaging", "ProctorTestSupport",
                "ProctorDatabaseTestSupport",
            ]
        ),
        // Re-runs the current pipeline over the service's stored evidence; workers share a PostgreSQL work queue.
        .target(
            name: "ProctorReanalysis",
            dependencies: [
                "ProctorVision", "ProctorImaging", "ProctorCore", "ProctorPostgres", .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Needs a real PostgreSQL server: run through scripts/test or scripts/with-postgres.
        .testTarget(
            name: "ProctorReanalysisTests",
            dependencies: [
                "ProctorReanalysis", "ProctorPostgres", "ProctorCore", "ProctorImaging", "ProctorVision", "ProctorTestSupport",
                "ProctorDatabaseTestSupport", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
