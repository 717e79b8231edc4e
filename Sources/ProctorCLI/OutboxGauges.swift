import Foundation
import ProctorOutbox

/// Keeps the outbox pending/failed gauges current during a monitor run, reading the counts at most
/// once a second (one small query) so frames never wait on it.
struct OutboxGauges {
    let outbox: Outbox
    let enabled: Bool
    private var last: Date?

    init(outbox: Outbox, enabled: Bool) {
        self.outbox = outbox
        self.enabled = enabled
    }

    mutating func refresh(force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        if !force, let last, now.timeIntervalSince(last) < 1 { return }
        last = now
        // A busy outbox just leaves the previous values for a second.
        if let counts = try? outbox.deliveryStateCounts() { MetricsExport.record(counts) }
    }
}
