import Metrics

/// Delivery attempts and their failures, through swift-metrics (the CLI chooses the backend). The
/// failure reason is the failure's kind, never its text: labels stay few and hold no server reply.
public enum DeliveryMetrics {
    public static let attempts = "proctor_delivery_attempts_total"
    public static let failures = "proctor_delivery_failures_total"

    static func attempted(sink: String) { Counter(label: attempts, dimensions: [("sink", sink)]).increment() }

    static func failed(sink: String, _ failure: DeliveryFailure) {
        Counter(label: failures, dimensions: [("sink", sink), ("reason", failure.kind)]).increment()
    }
}

extension DeliveryFailure {
    /// A stable one-word name for the kind of failure: transient, rejected, unusable, throttled.
    public var kind: String {
        switch self {
        case .transient, .unreachable: "transient"
        case .permanent: "rejected"
        case .unusable: "unusable"
        case .throttled: "throttled"
        }
    }
}
