import ArgumentParser

/// `--media-root`: the service's media root (Django MEDIA_ROOT), where its evidence files live, said once
/// for every command that reads or writes them (ship, monitor and doctor through DeliveryOptions,
/// report, reanalyze run).
struct MediaRootOptions: ParsableArguments {
    @Option(help: "The service's media root (Django MEDIA_ROOT), for evidence files with --database-url.")
    var mediaRoot: String?

    /// The directory, or a usage error for a command that cannot work without it.
    func required() throws -> String {
        guard let mediaRoot else { throw ValidationError("give --media-root DIR") }
        return mediaRoot
    }
}
