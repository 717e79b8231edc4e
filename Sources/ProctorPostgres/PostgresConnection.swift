import CLibPQ
import Foundation

/// The rows of a statement's result, as text (libpq's text format), and its affected-row count.
public struct PostgresRows: Sendable, Hashable {
    public var rows: [[String?]]
    public var affected: Int

    /// The first column of the first row.
    public var scalar: String? { rows.first?.first ?? nil }
}

/// One libpq connection. Not thread-safe: its owner serialises calls (``PostgresSink`` holds it
/// behind a lock).
///
/// Secrets: libpq's messages can quote the connection string (a malformed URL's offending token,
/// password and all). Every message this class produces is passed through ``ConnectionSecrets``,
/// which removes quoted tokens and every spelling of the password.
public final class PostgresConnection {
    private var handle: OpaquePointer?
    private let secrets: ConnectionSecrets

    /// Connects with a URL or key=value connection string. `connectTimeout` applies unless the string
    /// sets its own; `statementTimeout` (milliseconds, 0 = none) bounds every statement, so a hung
    /// server cannot stall delivery forever.
    public init(url: String, connectTimeout: Int = 5, statementTimeout: Int = 10_000) throws(PostgresError) {
        secrets = try ConnectionSecrets(connectionString: url)
        // Parameters before `dbname` are defaults the expanded connection string may override.
        let pairs: [(String, String)] = [
            ("connect_timeout", "\(connectTimeout)"),
            ("application_name", "proctor-vision"),
            ("options", "-c statement_timeout=\(statementTimeout)"),
            ("dbname", url),
        ]
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordPointers = keywords.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        let connection = PQconnectdbParams(keywordPointers, valuePointers, 1)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { secrets.scrub(Self.oneLine(PQerrorMessage($0))) } ?? "out of memory"
            PQfinish(connection)
            // libpq validates option values before connecting ("invalid port number", "invalid integer
            // value ... for connection option", "invalid sslmode value"): no retry can fix those.
            let misconfigured = message.hasPrefix("invalid ")
            throw PostgresError(
                sqlState: nil, message: "cannot connect: \(message)", connectionLost: !misconfigured,
                isConfiguration: misconfigured)
        }
        handle = connection
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is usable; false after the server went away.
    public var isOpen: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Runs one statement with `$1...` parameters sent separately from the SQL text, never spliced in.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresRows {
        guard let handle else { throw PostgresError(sqlState: nil, message: "connection is closed", connectionLost: true) }
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { $0.map { UnsafePointer($0) } }
        let result = pointers.withUnsafeBufferPointer { buffer in
            PQexecParams(handle, sql, Int32(parameters.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        defer { PQclear(result) }
        guard let result else {
            throw PostgresError(sqlState: nil, message: secrets.scrub(Self.oneLine(PQerrorMessage(handle))), connectionLost: !isOpen)
        }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let text = PQresultErrorMessage(result).map { secrets.scrub(Self.oneLine($0)) } ?? "statement failed"
            throw PostgresError(sqlState: state, message: text, connectionLost: !isOpen)
        }
        var rows: [[String?]] = []
        let rowCount = PQntuples(result), columnCount = PQnfields(result)
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            rows.append(
                (0..<columnCount).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(rows: rows, affected: affected)
    }

    /// Runs several `;`-separated statements without parameters (a schema file, for tests and setup).
    public func executeScript(_ sql: String) throws(PostgresError) {
        guard let handle else { throw PostgresError(sqlState: nil, message: "connection is closed", connectionLost: true) }
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        let status = result.map { PQresultStatus($0) }
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
            throw PostgresError(sqlState: state, message: secrets.scrub(Self.oneLine(PQerrorMessage(handle))), connectionLost: !isOpen)
        }
    }

    /// Runs `body` in a transaction; rolls back when it throws.
    public func transaction<T>(_ body: () throws(PostgresError) -> T) throws(PostgresError) -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if isOpen { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    public func close() {
        PQfinish(handle)
        handle = nil
    }

    static func oneLine(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        let words = String(cString: text).split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let line = words.filter { !$0.isEmpty }.joined(separator: " ")
        return line.isEmpty ? "unknown error" : line
    }
}
