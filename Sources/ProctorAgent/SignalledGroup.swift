import Dispatch
import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// Runs a ``ServiceGroup`` under SIGINT, SIGTERM and SIGHUP (a closed terminal or SSH session):
/// the first starts the group's graceful shutdown (its services stop in reverse order, each awaited),
/// a second escalates (the caller's `escalate` hurries the services, or with `endOnEscalation` the
/// run returns at once), and a deadline counted from the
/// first signal bounds the whole stop: past it the run returns even if a service is stuck in a system
/// call, so the process can exit (what it left behind is recovered by the next start).
public enum SignalledGroup {
    public enum Ending: Sendable {
        /// Every service returned; the first error a service threw, if any.
        case finished((any Error)?)
        /// Still running `seconds` after `signal`.
        case deadlinePassed(signal: Int32, seconds: Double)
        /// A second signal came and the caller asked not to wait for the services then.
        case escalated(signal: Int32)
    }

    public static let stopSignals: [UnixSignal] = [.sigint, .sigterm, .sighup]

    public static func run(
        _ group: ServiceGroup, stop: StopRequest, deadline seconds: Double, endOnEscalation: Bool = false, logger: Logger,
        firstSignal: @escaping @Sendable (Int32) -> Void = { _ in }, escalate: @escaping @Sendable (Int32) -> Void = { _ in }
    ) async -> Ending {
        // The dispatch sources, not the default action (termination), decide what a signal does.
        for stopSignal in stopSignals { signal(stopSignal.rawValue, SIG_IGN) }
        let signals = await UnixSignalsSequence(trapping: stopSignals)
        let ending = ResumeOnce<Ending>()
        let running = Task {
            do {
                try await group.run()
                ending.resume(returning: .finished(nil))
            } catch {
                ending.resume(returning: .finished(error))
            }
        }
        let listener = Task {
            for await received in signals {
                let number = received.rawValue
                guard stop.record(number) else {
                    logger.warning("second stop signal: hurrying", metadata: ["signal": "\(SignalName.of(number))"])
                    escalate(number)
                    if endOnEscalation { ending.resume(returning: .escalated(signal: number)) }
                    continue
                }
                logger.notice("stopping", metadata: ["signal": "\(SignalName.of(number))"])
                firstSignal(number)
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                    ending.resume(returning: .deadlinePassed(signal: number, seconds: seconds))
                }
                await group.triggerGracefulShutdown()
            }
        }
        let result = await withCheckedContinuation { ending.arm($0) }
        listener.cancel()
        if case .finished = result {} else { running.cancel() }
        return result
    }
}
