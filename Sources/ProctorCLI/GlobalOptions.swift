import ArgumentParser
import Logging
import ProctorVision

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Directory holding the model files (default: $PROCTOR_MODELS, ./models, the package's models/).")
    var models: String?

    @Option(name: .long, help: "The least severe log level written.")
    var logLevel: Logger.Level = .notice

    @Flag(name: .shortAndLong, help: "Print nothing but results and errors.")
    var quiet = false

    /// The model search path these options select.
    var locator: ModelLocator {
        models.map { ModelLocator(directories: [$0]) } ?? ModelLocator()
    }

    func makeLogger(label: String) -> Logger {
        LogSetup.bootstrapOnce()
        var logger = Logger(label: label)
        logger.logLevel = quiet ? .error : logLevel
        LogSetup.routeDecoderWarnings(level: logger.logLevel)
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
