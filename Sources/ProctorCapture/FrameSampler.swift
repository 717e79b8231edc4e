import Foundation
import ProctorImaging
import Synchronization

/// Runs a ``FrameSource`` on its own thread and hands the consumer the newest frame at a fixed
/// analysis rate, independent of the source's own rate.
///
/// Live sources are read as fast as they produce; at each tick (every 1/fps s of frame time) the
/// newest frame is decoded and handed out, replacing any frame the consumer has not taken yet.
/// When a live source fails mid-run it reports ``CaptureEvent/lost(at:reason:)``, reopens with
/// exponential backoff and reports ``CaptureEvent/restored(at:)`` once frames flow again.
/// Replays pick frames on their media time and run as fast as the consumer takes them, or at the
/// speed they were recorded with ``Options/realtime``.
///
/// ```swift
/// let sampler = try FrameSampler(source: V4L2Camera(path: "/dev/video0"), options: .init(fps: 2))
/// for await event in sampler.events { ... }
/// ```
public final class FrameSampler: Sendable {
    public struct Options: Sendable {
        /// Frames per second handed to the consumer.
        public var fps: Double
        /// Replays: pace frames on the wall clock instead of as fast as the consumer takes them.
        public var realtime: Bool
        /// The first wait before reopening a lost source; doubled after each failed attempt.
        public var reconnectDelay: Double
        /// The longest wait between reopening attempts.
        public var maxReconnectDelay: Double

        public init(fps: Double = 2, realtime: Bool = false, reconnectDelay: Double = 0.5, maxReconnectDelay: Double = 5) {
            self.fps = fps
            self.realtime = realtime
            self.reconnectDelay = reconnectDelay
            self.maxReconnectDelay = maxReconnectDelay
        }
    }

    /// The events, in order; iterate once.
    public let events: CaptureEvents
    /// The source as opened, e.g. "camera /dev/video0 (HD Webcam), MJPEG 640x480 @ 30 fps".
    public let sourceDescription: String

    private let channel: Channel
    /// Set once the capture thread was left behind by a bounded ``stop(waitingAtMost:)``.
    private let abandoned = Mutex(false)

    /// Opens `source` on the calling thread (so open failures are thrown here) and starts capturing.
    /// `clock` must be the one a live source stamps its frames with (a V4L2Camera's own clock).
    public init(
        source: sending some FrameSource, options: Options = Options(), clock: any CaptureClock = MonotonicCaptureClock()
    ) throws(CaptureError) {
        guard options.fps > 0, options.fps.isFinite else {
            throw CaptureError(.invalidArgument, "invalid analysis rate \(options.fps) fps (must be above 0)")
        }
        guard options.reconnectDelay > 0, options.maxReconnectDelay >= options.reconnectDelay else {
            throw CaptureError(.invalidArgument, "invalid reconnect delays \(options.reconnectDelay)...\(options.maxReconnectDelay) s")
        }
        let origin = clock.now()
        try source.open()
        sourceDescription = source.description
        let channel = Channel()
        self.channel = channel
        events = CaptureEvents(channel: channel)
        let loop = CaptureLoop(source: source, options: options, channel: channel, clock: clock, origin: origin)
        let thread = Thread {
            loop.run()
            channel.captureThreadEnded()
        }
        thread.name = "proctor-capture"
        thread.start()
    }

    deinit { stop() }

    /// Stops capturing and returns once the source is closed; the events end with ``CaptureEvent/ended``.
    /// Safe to call more than once. Cancelling the consuming task also stops capturing.
    ///
    /// A source stuck inside a system call (a device or network read that never returns) cannot be
    /// interrupted: after `timeout` seconds the capture thread is left behind and the events end at
    /// once, so a stop request always ends the consumer's loop in bounded time.
    public func stop(waitingAtMost timeout: Double = 3) {
        channel.stop()
        if abandoned.withLock({ $0 }) { return }
        if !channel.waitForCaptureThread(seconds: timeout) {
            abandoned.withLock { $0 = true }
            channel.abandon()
        }
    }
}

/// The capture thread's work; owned by that thread alone once started.
private final class CaptureLoop: @unchecked Sendable {
    let source: any FrameSource
    let options: Options
    let channel: Channel
    let clock: any CaptureClock
    /// The clock's time at start: live times are reported relative to it.
    let origin: Double

    typealias Options = FrameSampler.Options

    private var sequence = 0
    private var nextTick: Double?
    private var replayStart: Double?
    /// Frames closer than this to a tick count as on it (media times are rounded by containers).
    private static let tickTolerance = 0.001

    init(source: any FrameSource, options: Options, channel: Channel, clock: any CaptureClock, origin: Double) {
        self.source = source
        self.options = options
        self.channel = channel
        self.clock = clock
        self.origin = origin
    }

    private var now: Double { clock.now() - origin }

    /// Lets `seconds` pass on the clock; false when asked to stop meanwhile.
    private func sleep(_ seconds: Double) -> Bool {
        clock.sleep(max(0, seconds)) { [channel] in channel.sleep($0) }
    }

    func run() {
        let isStopped = { [channel] in channel.isStopping }
        while true {
            let raw: Double?
            do {
                raw = try source.grab(until: isStopped)
            } catch where source.isLive && error.isTransient {
                channel.send(.lost(at: now, reason: error.message))
                guard let first = reconnect() else { break }
                channel.send(.restored(at: now))
                raw = first
            } catch {
                source.close()
                channel.finish(with: .failed(error))
                return
            }
            guard let raw else { break }
            do {
                try offer(raw)
            } catch {
                source.close()
                channel.finish(with: .failed(error))
                return
            }
        }
        source.close()
        channel.finish(with: .ended)
    }

    /// Decodes and hands out the frame just grabbed if it falls on a tick.
    private func offer(_ raw: Double) throws(CaptureError) {
        let time = source.isLive ? max(0, raw - origin) : raw
        let index = sequence
        sequence += 1
        let paced = source.isLive || options.realtime
        if !source.isLive, options.realtime {
            let start = replayStart ?? (clock.now() - time)
            replayStart = start
            guard sleep(start + time - clock.now()) else { return }
        }
        if let tick = nextTick, time < tick - Self.tickTolerance { return }
        let image: Image
        do {
            image = try source.retrieve()
        } catch where error.kind == .corruptFrame {
            // A damaged camera frame: the next one takes this tick. A bad recorded frame is one input
            // among many, as in `proctor analyze`: said, and the replay goes on.
            if !source.isLive { channel.send(.skipped(at: time, reason: error.description), mode: .wait) }
            return
        }
        channel.send(.frame(CapturedFrame(image: image, time: time, sequence: index)), mode: paced ? .replace : .wait)
        // Ticks stay on a fixed grid; after a gap (stall, slow consumer) the grid restarts here.
        let interval = 1 / options.fps
        var next = (nextTick ?? time) + interval
        if next <= time { next = time + interval }
        nextTick = next
    }

    /// Reopens the source with exponential backoff until a frame arrives; nil when stopped.
    private func reconnect() -> Double? {
        source.close()
        var delay = options.reconnectDelay
        let isStopped = { [channel] in channel.isStopping }
        while sleep(delay) {
            do {
                try source.open()
                if let raw = try source.grab(until: isStopped) {
                    nextTick = nil
                    return raw
                }
                return nil
            } catch {
                source.close()
                delay = min(delay * 2, options.maxReconnectDelay)
            }
        }
        return nil
    }
}
