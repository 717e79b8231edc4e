import Foundation

extension SessionReport {
    /// The `--format json` encoding: pretty, keys sorted, ISO 8601 dates.
    public func jsonData() throws(ReportError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        do {
            return try encoder.encode(self)
        } catch {
            throw .rendering("report cannot be encoded as JSON: \(error)")
        }
    }

    /// Reads what ``jsonData()`` wrote.
    public static func decode(json: Data) throws(ReportError) -> SessionReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(SessionReport.self, from: json)
        } catch {
            throw .rendering("not a session report: \(error)")
        }
    }
}
