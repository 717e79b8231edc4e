/// How many episodes wait for delivery and how many were given up on: the outbox gauges an operator
/// watches (a growing `pending` means the service is unreachable, `failed` needs a look).
public struct DeliveryStateCounts: Sendable, Hashable {
    public var pending = 0
    public var failed = 0
    public var delivered = 0

    public init(pending: Int = 0, failed: Int = 0, delivered: Int = 0) {
        self.pending = pending
        self.failed = failed
        self.delivered = delivered
    }
}

extension Outbox {
    /// Episodes per delivery state, in one query.
    public func deliveryStateCounts() throws(OutboxError) -> DeliveryStateCounts {
        try withDatabase { db throws(OutboxError) in
            var counts = DeliveryStateCounts()
            _ = try db.query("SELECT delivery_state, count(*) FROM episodes GROUP BY delivery_state") { row in
                switch row.string(0) {
                case "pending": counts.pending = row.int(1)
                case "failed": counts.failed = row.int(1)
                case "delivered": counts.delivered = row.int(1)
                default: break
                }
            }
            return counts
        }
    }
}
