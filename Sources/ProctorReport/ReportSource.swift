/// Where a report's session, episodes and evidence come from (the local outbox, or the service's database).
public protocol ReportSource {
    /// The session with `id`, or the most recently started one when `id` is nil.
    func load(sessionID: String?) throws(ReportError) -> ReportInput
}
