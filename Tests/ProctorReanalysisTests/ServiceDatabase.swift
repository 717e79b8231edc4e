import Foundation
import ProctorDatabaseTestSupport
import ProctorPostgres
import ProctorTestSupport

/// What the reanalysis tests ask of the service's database.
extension ServiceDatabase {
    /// A digest of every service table's contents, to prove reanalysis never alters them.
    func serviceTablesDigest() throws -> String {
        try ["proctoring_student", "proctoring_exam", "proctoring_cheatingevent", "proctoring_cheatingimage", "proctoring_cheatingaudio"]
            .map { table in
                try query("SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \(table) t")
                    .first?.first.flatMap { $0 } ?? ""
            }.joined(separator: ",")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
