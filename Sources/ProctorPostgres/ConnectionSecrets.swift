import CLibPQ
import Foundation

/// What must never appear in a message about a connection string: its password in every spelling,
/// and whatever libpq quotes from the string itself.
///
/// The string is parsed with libpq's own parser (`PQconninfoParse`) before connecting: a string it
/// cannot parse (a bad percent-escape, `[::1` without its bracket, a key=value string without `=`)
/// is a configuration error whose message keeps libpq's explanation but none of its quoted tokens,
/// because those are pieces of the string — `invalid percent-encoded token: "S3cret%zzPW"`.
struct ConnectionSecrets: Sendable {
    private let secrets: [String]

    init(connectionString: String) throws(PostgresError) {
        var found: [String] = []
        // The URL's password as written (percent-encoded or not), even when libpq cannot parse it.
        if let userInfo = Self.userInfo(of: connectionString), let colon = userInfo.firstIndex(of: ":") {
            let written = String(userInfo[userInfo.index(after: colon)...])
            found.append(written)
            if let decoded = written.removingPercentEncoding { found.append(decoded) }
        }
        var error: UnsafeMutablePointer<CChar>?
        let options = PQconninfoParse(connectionString, &error)
        defer { PQconninfoFree(options) }
        if options == nil {
            let reason = error.map { Self.withoutQuotedTokens(PostgresConnection.oneLine($0)) } ?? "cannot be parsed"
            PQfreemem(error)
            throw PostgresError(
                sqlState: nil, message: "the database URL is malformed: \(Self.scrub(reason, found))",
                connectionLost: false, isConfiguration: true)
        }
        var option = options
        while let current = option, let keyword = current.pointee.keyword {
            if String(cString: keyword) == "password", let value = current.pointee.val {
                found.append(String(cString: value))
            }
            option = current.advanced(by: 1)
        }
        secrets = found.filter { $0.count >= 1 }.sorted { $0.count > $1.count }
    }

    /// `text` without quoted tokens and without any spelling of the password.
    func scrub(_ text: String) -> String { Self.scrub(Self.withoutQuotedTokens(text), secrets) }

    private static func scrub(_ text: String, _ secrets: [String]) -> String {
        var result = text
        for secret in secrets where !secret.isEmpty { result = result.replacingOccurrences(of: secret, with: "***") }
        return result
    }

    /// libpq quotes pieces of the connection string: `"..."` becomes `"…"`. Server messages quote
    /// user and database names the same way; losing them in an error is the price of never losing a secret.
    static func withoutQuotedTokens(_ text: String) -> String {
        text.replacingOccurrences(of: #""[^"]*""#, with: "\"…\"", options: .regularExpression)
    }

    /// The `user:password` part of a `scheme://user:password@host` URL, found without a URL parser
    /// (a malformed URL is exactly the case to handle).
    private static func userInfo(of text: String) -> Substring? {
        guard let scheme = text.range(of: "://") else { return nil }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return nil }
        return authority[..<at]
    }
}
