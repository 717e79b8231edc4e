/// A face's identity vector, L2-normalised so that the dot product of two is their cosine similarity.
public struct FaceEmbedding: Sendable, Hashable {
    public let values: [Float]

    /// Normalises `raw`; nil when it is empty, not finite or all zero (nothing to compare).
    public init?(raw: [Float]) {
        guard !raw.isEmpty, raw.allSatisfy(\.isFinite) else { return nil }
        let norm = raw.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        guard norm > 1e-12 else { return nil }
        values = raw.map { $0 / norm }
    }

    /// Cosine similarity in -1...1: about 0 for two different people, 0.4-0.9 for the same person.
    public func similarity(to other: FaceEmbedding) -> Double {
        guard values.count == other.values.count else { return 0 }
        var sum: Float = 0
        for index in values.indices { sum += values[index] * other.values[index] }
        return Double(min(1, max(-1, sum)))
    }
}
