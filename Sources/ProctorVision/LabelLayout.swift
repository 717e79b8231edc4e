import Foundation
import ProctorCore

/// Where a box's label goes and in which colours, so a reviewer can read it on a 320 px thumbnail.
///
/// The label sits outside the box, above its top edge, when there is room; else below its bottom edge;
/// else just inside, under the top edge. It never covers the box's edge line, stays inside the image,
/// and its text is black or white, whichever contrasts more with the box colour (always at least 4.5:1).
public struct LabelLayout: Sendable, Hashable {
    /// The filled background, in image pixels.
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    /// Where the text's baseline starts.
    public var textX: Int
    public var textY: Int

    /// Pixels between the text and the background's border, and between the background and the edge line.
    static let padding = 2
    static let gap = 1

    /// - Parameters:
    ///   - box: the box as drawn, whose edge lines are `thickness` px wide, centred on its sides.
    ///   - text: the text's width, height above the baseline, and depth below it.
    public static func place(
        box: (x: Int, y: Int, width: Int, height: Int), thickness: Int, text: (width: Int, height: Int, baseline: Int),
        imageWidth: Int, imageHeight: Int
    ) -> LabelLayout {
        let width = text.width + 2 * padding
        let height = text.height + text.baseline + 2 * padding
        let outer = (max(1, thickness) + 1) / 2  // how far the edge line reaches beyond the box's side
        let above = box.y - outer - gap - height
        let below = box.y + box.height + outer + gap
        let top: Int
        if above >= 0 {
            top = above
        } else if below + height <= imageHeight {
            top = below
        } else {
            top = box.y + outer + gap  // inside, under the top edge
        }
        let left = min(max(0, box.x - outer), max(0, imageWidth - width))
        let clampedTop = min(max(0, top), max(0, imageHeight - height))
        return LabelLayout(
            x: left, y: clampedTop, width: width, height: height, textX: left + padding,
            textY: clampedTop + padding + text.height)
    }

    /// The font scale for labels on an image this size: text about 1/15 of the short side, at least
    /// 10 px tall (Hershey simplex is about 22 px tall at scale 1).
    public static func fontScale(imageWidth: Int, imageHeight: Int) -> Double {
        max(10, Double(min(imageWidth, imageHeight)) / 15) / 22
    }
}

extension DrawColor {
    public static let black = DrawColor(red: 0, green: 0, blue: 0)
    public static let white = DrawColor(red: 255, green: 255, blue: 255)

    /// WCAG 2 relative luminance, 0 (black) ... 1 (white).
    public var relativeLuminance: Double {
        func linear(_ channel: UInt8) -> Double {
            let value = Double(channel) / 255
            return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055).pow(2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// WCAG 2 contrast ratio between two colours, 1 ... 21.
    public func contrast(with other: DrawColor) -> Double {
        let (a, b) = (relativeLuminance, other.relativeLuminance)
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }

    /// Black or white, whichever reads better on this colour.
    public var readableText: DrawColor {
        contrast(with: .black) >= contrast(with: .white) ? .black : .white
    }
}

extension Double {
    fileprivate func pow(_ exponent: Double) -> Double { Foundation.pow(self, exponent) }
}
