import Foundation

/// A monotonic stopwatch in milliseconds.
struct Stopwatch {
    private var start = DispatchTime.now().uptimeNanoseconds

    var elapsedMilliseconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000 }

    /// Runs `body` and adds its duration to `total`.
    @discardableResult
    static func measure<T, E: Error>(_ total: inout Double, _ body: () throws(E) -> T) throws(E) -> T {
        let watch = Stopwatch()
        defer { total += watch.elapsedMilliseconds }
        return try body()
    }
}
