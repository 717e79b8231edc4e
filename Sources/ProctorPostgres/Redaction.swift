import Foundation

/// Removes secrets from URLs and connection strings before they reach a log or an error.
public enum Redaction {
    /// The URL without user, password and query (`postgresql://u:pw@h/db?password=x` ->
    /// `postgresql://***@h/db`); key=value connection strings get their `password` value masked.
    public static func redact(_ text: String) -> String {
        if text.contains("://"), var parts = URLComponents(string: text) {
            let hadCredentials = parts.user != nil || parts.password != nil
            parts.user = nil
            parts.password = nil
            parts.query = nil
            parts.fragment = nil
            let clean = parts.string ?? "<unparseable url>"
            guard hadCredentials, let scheme = parts.scheme else { return clean }
            return clean.replacingOccurrences(of: "\(scheme)://", with: "\(scheme)://***@")
        }
        if text.contains("://") { return "<unparseable url>" }
        // key=value form: mask every password value, quoted or not.
        let pattern = #"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)"#
        let masked = text.replacingOccurrences(of: pattern, with: "$1***", options: .regularExpression)
        // An address typed without its scheme (`user:password@host`) still carries a password.
        return masked.replacingOccurrences(of: #"[^\s/@:]+:[^\s/@]*@"#, with: "***@", options: .regularExpression)
    }
}
