import CSQLite
import Foundation

/// A value bound to or read from an SQL statement.
enum SQLValue: Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// SQLite's "copy the bytes now" destructor; the C macro SQLITE_TRANSIENT is not visible to Swift.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection. Not thread-safe: ``Outbox`` owns it behind a lock.
final class SQLiteConnection {
    private var handle: OpaquePointer?

    enum Mode {
        case readWrite
        /// Never writes, never creates a file.
        case readOnly
        /// Read-only on a file nobody can change (SQLite skips locking and the shared-memory file):
        /// how a WAL database in a read-only place is read.
        case immutable
    }

    init(path: String, mode: Mode = .readWrite) throws(OutboxError) {
        var db: OpaquePointer?
        let flags: Int32
        let name: String
        switch mode {
        case .readWrite:
            flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
            name = path
        case .readOnly:
            flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX
            name = path
        case .immutable:
            flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI
            name = Self.fileURI(path) + "?immutable=1"
        }
        let code = sqlite3_open_v2(name, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let reason = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(db)
            throw .cannotOpen(path: path, reason: reason)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    /// `file:` URI of a path, with the characters a URI gives meaning to escaped.
    static func fileURI(_ path: String) -> String {
        var uri = "file:"
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0..<0x21, 0x7F...0xFF:
                uri += String(format: "%%%02X", byte)
            default:
                uri += String(UnicodeScalar(byte))
            }
        }
        return uri
    }

    /// Runs statements that bind nothing and whose rows, if any, are not needed.
    func execute(_ sql: String) throws(OutboxError) {
        let db = try open()
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(db, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(message)
            throw .sqlite(operation: firstWords(of: sql), code: code, message: text)
        }
    }

    /// Runs one statement and returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ parameters: [SQLValue] = []) throws(OutboxError) -> Int {
        let db = try open()
        try withStatement(sql, parameters) { statement throws(OutboxError) in
            while try step(statement, sql) {}
        }
        return Int(sqlite3_changes(db))
    }

    /// Runs one query and maps each row.
    func query<T>(_ sql: String, _ parameters: [SQLValue] = [], _ map: (SQLRow) throws(OutboxError) -> T)
        throws(OutboxError) -> [T]
    {
        try withStatement(sql, parameters) { statement throws(OutboxError) in
            var rows: [T] = []
            while try step(statement, sql) {
                rows.append(try map(SQLRow(statement: statement)))
            }
            return rows
        }
    }

    /// Runs `body` in a write transaction taken up front (BEGIN IMMEDIATE), so two processes never
    /// deadlock upgrading read locks; rolls back if `body` throws.
    func transaction<T>(_ body: () throws(OutboxError) -> T) throws(OutboxError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    func close() {
        sqlite3_close_v2(handle)
        handle = nil
    }

    private func open() throws(OutboxError) -> OpaquePointer {
        guard let handle else { throw .closed }
        return handle
    }

    private func withStatement<T>(
        _ sql: String, _ parameters: [SQLValue], _ body: (OpaquePointer) throws(OutboxError) -> T
    ) throws(OutboxError) -> T {
        let db = try open()
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v2(db, sql, -1, &prepared, nil)
        guard code == SQLITE_OK, let statement = prepared else {
            sqlite3_finalize(prepared)
            throw .sqlite(operation: "prepare \(firstWords(of: sql))", code: code, message: String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(statement) }
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let bound: Int32
            switch value {
            case .null: bound = sqlite3_bind_null(statement, index)
            case .integer(let number): bound = sqlite3_bind_int64(statement, index, number)
            case .real(let number): bound = sqlite3_bind_double(statement, index, number)
            case .text(let string): bound = sqlite3_bind_text(statement, index, string, -1, transientDestructor)
            case .blob(let data):
                // An empty buffer has no base address, which SQLite would bind as NULL.
                bound =
                    data.isEmpty
                    ? sqlite3_bind_zeroblob(statement, index, 0)
                    : data.withUnsafeBytes { bytes in
                        sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), transientDestructor)
                    }
            }
            guard bound == SQLITE_OK else {
                throw .sqlite(operation: "bind \(firstWords(of: sql))", code: bound, message: String(cString: sqlite3_errmsg(db)))
            }
        }
        return try body(statement)
    }

    /// Advances a statement; true while it yields rows.
    private func step(_ statement: OpaquePointer, _ sql: String) throws(OutboxError) -> Bool {
        let code = sqlite3_step(statement)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
            throw .sqlite(operation: firstWords(of: sql), code: code, message: message)
        }
    }

    private func firstWords(of sql: String) -> String {
        sql.split(whereSeparator: \.isWhitespace).prefix(3).joined(separator: " ")
    }
}

/// The current row of a query, read by column index.
struct SQLRow {
    fileprivate let statement: OpaquePointer

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }

    func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }

    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    func string(_ column: Int32) -> String { optionalString(column) ?? "" }

    func optionalString(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: text)
    }

    func optionalBlob(_ column: Int32) -> Data? {
        guard !isNull(column) else { return nil }
        // The pointer first, then the size: SQLite's documented order, as the call may convert the value.
        let bytes = sqlite3_column_blob(statement, column)
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let bytes else { return Data() }
        return Data(bytes: bytes, count: count)
    }
}
