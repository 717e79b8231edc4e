import ProctorOutbox

/// A session named on the command line by its id or by a unique start of it, as `git` takes a short
/// commit hash: `proctor episodes` shows the first 8 characters, which must be enough to name one.
enum SessionPrefix {
    /// The id of the one session `given` names: an exact id, else the only id starting with it.
    static func resolve(_ given: String, among sessions: [SessionRecord], outbox path: String) throws(Failure) -> String {
        if sessions.contains(where: { $0.id == given }) { return given }
        let matches = given.isEmpty ? [] : sessions.filter { $0.id.hasPrefix(given.lowercased()) }
        switch matches.count {
        case 0: throw .noInput("no session \(given) in \(path)")
        case 1: return matches[0].id
        default: throw .usage("\(given) names \(matches.count) sessions in \(path): give more of the id")
        }
    }
}
