/// A point in image pixels.
public struct Point2D: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// The point with both coordinates multiplied by `factor`.
    public func scaled(by factor: Double) -> Point2D { Point2D(x: x * factor, y: y * factor) }
}

/// An axis-aligned rectangle in image pixels (top-left origin).
public struct BoundingBox: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var area: Double { max(0, width) * max(0, height) }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var center: Point2D { Point2D(x: x + width / 2, y: y + height / 2) }

    /// The box with every coordinate multiplied by `factor`.
    public func scaled(by factor: Double) -> BoundingBox {
        BoundingBox(x: x * factor, y: y * factor, width: width * factor, height: height * factor)
    }

    /// The part of the box inside a `width` x `height` image.
    public func clipped(width imageWidth: Double, height imageHeight: Double) -> BoundingBox {
        let left = min(max(x, 0), imageWidth), top = min(max(y, 0), imageHeight)
        let right = min(max(maxX, 0), imageWidth), bottom = min(max(maxY, 0), imageHeight)
        return BoundingBox(x: left, y: top, width: right - left, height: bottom - top)
    }

    public func intersection(_ other: BoundingBox) -> Double {
        let w = min(maxX, other.maxX) - max(x, other.x)
        let h = min(maxY, other.maxY) - max(y, other.y)
        return w > 0 && h > 0 ? w * h : 0
    }

    /// Intersection over union, 0...1.
    public func iou(_ other: BoundingBox) -> Double {
        let inter = intersection(other)
        let union = area + other.area - inter
        return union > 0 ? inter / union : 0
    }

    public func contains(_ point: Point2D) -> Bool {
        point.x >= x && point.x <= maxX && point.y >= y && point.y <= maxY
    }
}
