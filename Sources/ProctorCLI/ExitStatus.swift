/// The exit statuses every command shares (sysexits.h values), worded once: the top-level help, each
/// command's help and the README say the same thing (ProctorCLITests/HelpTextTests checks it).
enum ExitStatus {
    static let meanings: [(code: Int32, meaning: String)] = [
        (0, "success"),
        (1, "some inputs or checks failed"),
        (64, "usage error"),
        (66, "cannot open input"),
        (69, "service unavailable"),
        (70, "internal error"),
        (74, "cannot write output"),
        (78, "bad configuration"),
    ]

    /// "Exit status: 0 success; 64 usage error (detail); ..." for the codes a command can end with,
    /// each with an optional command-specific detail in parentheses.
    static func line(_ codes: [(Int32, String?)]) -> String {
        let parts = codes.map { code, detail -> String in
            let meaning = meanings.first { $0.code == code }?.meaning ?? "exit"
            return "\(code) \(meaning)" + (detail.map { " (\($0))" } ?? "")
        }
        return "Exit status: " + parts.joined(separator: "; ") + "."
    }

    /// The full table, for the top-level help.
    static var all: String { line(meanings.map { ($0.code, nil) }) }
}
