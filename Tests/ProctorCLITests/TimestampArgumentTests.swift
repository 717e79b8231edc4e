import Foundation
import Testing

@testable import ProctorCLI

/// `--since` / `--until` values (reanalysis, database reports).
struct TimestampArgumentTests {
    @Test func datesAndTimestampsParseAsISO8601() {
        #expect(TimestampArgument.parse("2024-05-01")?.timeIntervalSince1970 == 1_714_521_600)
        #expect(TimestampArgument.parse("2024-05-01T02:00:00+02:00")?.timeIntervalSince1970 == 1_714_521_600)
        #expect(TimestampArgument.parse("2024-05-01 00:00")?.timeIntervalSince1970 == 1_714_521_600)
        #expect(TimestampArgument.parse("2024-05-01T00:00:00.500Z")?.timeIntervalSince1970 == 1_714_521_600.5)
        #expect(TimestampArgument.parse("yesterday") == nil)
    }
}
