import ArgumentParser
import Logging

/// Which pipeline version's findings `reanalyze summary` and `export` read: the current one (the models,
/// engine and tuning given) unless another is named.
struct FindingsVersion: ParsableArguments {
    @Option(help: "Another pipeline version than the current one.")
    var pipelineVersion: String?

    @OptionGroup var tuning: VisionOptions

    func validate() throws { try tuning.validate() }

    func pipeline(global: GlobalOptions, logger: Logger) throws -> Reanalyze.Pipeline {
        try Reanalyze.Pipeline(global: global, tuning: tuning, explicit: pipelineVersion, logger: logger)
    }
}
