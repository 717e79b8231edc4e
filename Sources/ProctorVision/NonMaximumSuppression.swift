import ProctorCore

/// Greedy non-maximum suppression.
enum NonMaximumSuppression {
    /// Indices of the boxes to keep, best score first: a box is dropped when it overlaps a kept box of
    /// the same class by more than `iouThreshold`.
    static func select(boxes: [BoundingBox], scores: [Double], classes: [Int], iouThreshold: Double) -> [Int] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var kept: [Int] = []
        for candidate in order {
            let overlaps = kept.contains { kept in
                classes[kept] == classes[candidate] && boxes[kept].iou(boxes[candidate]) > iouThreshold
            }
            if !overlaps { kept.append(candidate) }
        }
        return kept
    }
}
