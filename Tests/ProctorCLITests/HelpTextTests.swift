import Foundation
import ProctorTestSupport
import Testing

/// Every command's --help: an example, defaults said once, and the same exit-status words everywhere
/// (top-level help, each command, README).
struct HelpTextTests {
    static let commands: [[String]] = [
        [], ["analyze"], ["monitor"], ["episodes"], ["ship"], ["doctor"], ["report"], ["reanalyze"], ["reanalyze", "run"],
        ["reanalyze", "summary"], ["reanalyze", "export"], ["reanalyze", "folder"], ["db"], ["db", "migrate"],
        ["config"], ["config", "check"], ["config", "print"],
    ]

    static func help(_ command: [String]) throws -> String {
        let proctor = try #require(TestAssets.proctorBinary, "proctor binary not built")
        let result = try CommandRunner.run(proctor, command + ["--help"], environment: ["COLUMNS": "100"])
        #expect(result.status == 0)
        return result.stdout
    }

    /// "64 usage error" pairs from an "Exit status: ..." sentence (wrapped lines joined).
    static func exitMeanings(_ text: String) -> [Int: String] {
        let flat = text.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        guard let start = flat.range(of: "Exit status: ") else { return [:] }
        let sentence = flat[start.upperBound...].prefix { $0 != "." }
        var meanings: [Int: String] = [:]
        for part in sentence.split(separator: ";") {
            let words = part.trimmingCharacters(in: .whitespaces)
            let withoutDetail = words.split(separator: "(", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let pieces = withoutDetail.split(separator: " ", maxSplits: 1)
            if pieces.count == 2, let code = Int(pieces[0]) { meanings[code] = String(pieces[1]) }
        }
        return meanings
    }

    @Test(arguments: commands) func everyCommandHasAnExample(_ command: [String]) throws {
        let text = try Self.help(command)
        #expect(text.contains("Example: proctor") || text.contains("Example: PROCTOR_"), "proctor \(command) --help has no example")
    }

    @Test(arguments: commands) func defaultsAreSaidOnce(_ command: [String]) throws {
        let text = try Self.help(command)
        // One block per option: its first line starts with "  -", continuation lines are indented further.
        var blocks: [String] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("  -") { blocks.append(String(line)) } else if !blocks.isEmpty, line.hasPrefix("    ") {
                blocks[blocks.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            }
        }
        #expect(!blocks.isEmpty || command == ["db"])
        for block in blocks {
            let count = block.lowercased().components(separatedBy: "default").count - 1
            #expect(count <= 1, "default said \(count) times: \(block)")
        }
    }

    @Test func exitStatusesMeanTheSameEverywhere() throws {
        let table = Self.exitMeanings(try Self.help([]))
        #expect(table.keys.sorted() == [0, 1, 64, 66, 69, 70, 74, 78], "\(table)")
        for command in Self.commands.dropFirst() where command != ["db"] {
            let meanings = Self.exitMeanings(try Self.help(command))
            #expect(!meanings.isEmpty, "proctor \(command) --help has no exit statuses")
            for (code, meaning) in meanings {
                #expect(table[code] == meaning, "proctor \(command): \(code) '\(meaning)' vs top-level '\(table[code] ?? "-")'")
            }
        }
        let readme = try String(contentsOf: TestAssets.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(Self.exitMeanings(readme) == table, "README's exit statuses differ from `proctor --help`")
    }
}
