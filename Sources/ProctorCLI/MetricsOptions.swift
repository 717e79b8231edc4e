import ArgumentParser

/// Where `proctor monitor` publishes its Prometheus metrics: a loopback HTTP port, a textfile, or both.
struct MetricsOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Serve Prometheus metrics at http://HOST:PORT/metrics, e.g. 127.0.0.1:9464 (port 0: any free port, logged).",
            valueName: "host:port"))
    var metrics: String?

    @Flag(help: "Allow --metrics on a non-loopback address (the metrics endpoint has no authentication).")
    var metricsAllowRemote = false

    @Option(
        help: ArgumentHelp(
            "Write Prometheus metrics to this file atomically every 5 s and at exit (node_exporter's textfile collector).",
            valueName: "path"))
    var metricsFile: String?

    var requested: Bool { metrics != nil || metricsFile != nil }

    /// The parsed `--metrics` address, checked for loopback.
    func endpoint() throws -> MetricsEndpoint? {
        guard let metrics else { return nil }
        guard let endpoint = MetricsEndpoint(metrics) else {
            throw ValidationError("--metrics must look like 127.0.0.1:9464 or [::1]:9464 (port 0...65535)")
        }
        guard endpoint.isLoopback || metricsAllowRemote else {
            throw ValidationError(
                "--metrics \(metrics) is not a loopback address; add --metrics-allow-remote to expose metrics to the network")
        }
        return endpoint
    }

    func validate() throws {
        _ = try endpoint()
        if let metricsFile, metricsFile.isEmpty || metricsFile.hasSuffix("/") {
            throw ValidationError("--metrics-file must name a file")
        }
    }
}
