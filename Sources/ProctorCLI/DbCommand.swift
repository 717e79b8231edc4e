import ArgumentParser
import Foundation
import ProctorDelivery
import ProctorReanalysis

/// `proctor db`: the project's own tables in the service's database.
struct Db: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the project's own tables (proctor_*) in the service's database.",
        discussion: "Example: PROCTOR_DATABASE_URL=postgresql://proctor@db/exams proctor db migrate",
        subcommands: [DbMigrate.self]
    )
}

/// `proctor db migrate`: creates or updates the proctor_* tables; never touches the service's tables.
struct DbMigrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or update the proctor_reanalysis tables, idempotently.",
        discussion: """
            Safe to run again and from several machines at once (an advisory lock serialises migrations).
            Example: proctor db migrate --database-url postgresql://proctor@db/exams
            \(ExitStatus.line([(0, nil), (64, nil), (69, "database unreachable"), (78, "refused: permissions, wrong database")]))
            """
    )

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let url = try database.required()
        let (db, shown) = try ServiceDatabaseConnection.connect(url)
        defer { db.close() }
        do {
            let before = try ReanalysisSchema.installedVersion(db)
            let after = try ReanalysisSchema.migrate(db)
            print(before == after ? "\(shown): proctor tables up to date (version \(after))" : "\(shown): proctor tables migrated \(before) -> \(after)")
        } catch {
            if error.connectionLost { throw Failure.unavailable("\(shown): \(error.description)") }
            throw Failure.configuration("\(shown): \(error.description)")
        }
    }
}
