import ProctorPostgres

extension PostgresError {
    /// How the shipper should treat this error when delivering (``PostgresError/kind``): bad data is
    /// marked failed, the deployment's problems stop the pass, everything else is retried.
    public var deliveryFailure: DeliveryFailure {
        let text = "postgres: \(description)"
        switch kind {
        case .configuration: return .unusable(text)
        case .rejectedData: return .permanent(text)
        case .transient: return .transient(text)
        }
    }
}
