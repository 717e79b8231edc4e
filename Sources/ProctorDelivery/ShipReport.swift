/// What a drain did, for `proctor ship`'s summary and exit status.
public struct ShipReport: Sendable, Hashable {
    /// Episodes the sink accepted in this run.
    public var delivered = 0
    /// Episodes found already delivered (a replay after a crash, or a revision the sink cannot update).
    public var alreadyPresent = 0
    /// Episodes the sink rejected for good in this run; marked `failed` with the reason.
    public var rejected = 0
    /// Attempts that failed transiently (each retried later).
    public var transientFailures = 0
    /// Deliverable episodes still pending when the run ended.
    public var remaining = 0
    /// Of ``remaining``: episodes another live shipper held when the run ended.
    public var heldElsewhere = 0
    /// Episodes still open in a running monitor's session (not deliverable yet, not counted in ``remaining``).
    public var stillOpen = 0
    /// Attempts that re-sent an episode whose previous attempt's outcome was unknown (a shipper died
    /// after sending it, before recording the reply): each may be a duplicate on the REST path.
    public var resentAfterUnknownOutcome = 0
    /// Why the sink or the outbox could not be used, when that ended the run.
    public var halt: ShipHalt?
    /// ``halt`` in words, for summaries and logs.
    public var stoppedBy: String? { halt?.description }
    /// The latest transient failure, for the summary line.
    public var lastTransientError: String?

    public init() {}

    /// Everything deliverable was delivered (rejected episodes are not deliverable).
    public var isComplete: Bool { remaining == 0 && halt == nil }
}
