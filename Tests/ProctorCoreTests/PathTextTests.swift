import ProctorCore
import Testing

/// dirname's answers, for every path shape an operator can type.
struct PathTextTests {
    @Test(arguments: [
        ("a/b", "a"), ("/a", "/"), ("a", "."), ("o/", "."), (" ", "."), ("", "."), ("/", "/"), ("a/b/", "a"),
        ("/x//y", "/x"), ("//", "/"), ("./r.html", "."), ("/var/lib/proctor-vision/outbox.sqlite", "/var/lib/proctor-vision"),
    ])
    func directoryIsWhatDirnameSays(path: String, expected: String) {
        #expect(PathText.directory(of: path) == expected)
    }
}
