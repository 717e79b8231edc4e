import Foundation
import ProctorCore
import ProctorImaging
import ProctorVision
import Testing

/// Box labels on evidence thumbnails: outside the box's edge line, inside the image, readable colours.
struct LabelLayoutTests {
    let text = (width: 90, height: 10, baseline: 4)

    /// Rows the top and bottom edge lines of `box` cover when drawn `thickness` px wide.
    func edgeRows(_ box: (x: Int, y: Int, width: Int, height: Int), thickness: Int) -> [ClosedRange<Int>] {
        let half = (thickness + 1) / 2
        return [(box.y - half)...(box.y + half), (box.y + box.height - half)...(box.y + box.height + half)]
    }

    @Test func theLabelNeverCoversTheBoxEdgeAndStaysInTheImage() {
        let boxes: [(x: Int, y: Int, width: Int, height: Int)] = [
            (100, 60, 80, 90),  // room above
            (100, 0, 80, 90),  // at the top: below the box
            (250, 2, 60, 170),  // full height: inside, under the top edge
            (300, 40, 60, 60),  // at the right border
        ]
        for box in boxes {
            for thickness in [1, 2, 3] {
                let layout = LabelLayout.place(box: box, thickness: thickness, text: text, imageWidth: 320, imageHeight: 180)
                let rows = layout.y...(layout.y + layout.height - 1)
                for edge in edgeRows(box, thickness: thickness) {
                    #expect(!rows.overlaps(edge), "box \(box) t\(thickness): label rows \(rows) cover edge rows \(edge)")
                }
                #expect(layout.x >= 0 && layout.x + layout.width <= 320, "\(layout)")
                #expect(layout.y >= 0 && layout.y + layout.height <= 180, "\(layout)")
                #expect(layout.textY - text.height >= layout.y && layout.textY + text.baseline <= layout.y + layout.height)
            }
        }
        #expect(LabelLayout.place(box: boxes[0], thickness: 2, text: text, imageWidth: 320, imageHeight: 180).y < 60, "above when there is room")
        #expect(LabelLayout.place(box: boxes[1], thickness: 2, text: text, imageWidth: 320, imageHeight: 180).y > 90, "else below")
    }

    @Test func textContrastsAtLeastFourAndAHalfToOne() {
        for color in [DrawColor.face, .phone, .person, .other] {
            #expect(color.contrast(with: color.readableText) >= 4.5, "\(color) with \(color.readableText)")
        }
        // The old white-on-colour labels failed on the light box colours.
        #expect(DrawColor.face.contrast(with: .white) < 4.5 && DrawColor.person.contrast(with: .white) < 4.5)
    }

    @Test func aThumbnailLabelIsDrawnAtThumbnailSizeBesideTheBox() throws {
        // A uniform 1280x720 frame with a face box at the very top, shrunk to a 320 px thumbnail.
        let width = 1280, height = 720
        let gray = [UInt8](repeating: 128, count: width * height * 3)
        let frame = try gray.withUnsafeBytes { try Image.fromBGR($0, width: width, height: height, stride: width * 3) }
        let box = BoundingBox(x: 400, y: 0, width: 320, height: 400)
        let analysis = FrameAnalysis(
            width: width, height: height, faces: [DetectedFace(box: box, score: 0.93)], objects: [],
            quality: FrameQuality(brightness: 128, contrast: 0, sharpness: 0))
        let thumbnail = try frame.annotatedThumbnail(with: analysis, maxSide: 320)
        #expect(thumbnail.width == 320 && thumbnail.height == 180)
        let pixels = try thumbnail.bgrBytes()
        func pixel(_ x: Int, _ y: Int) -> (b: Int, g: Int, r: Int) {
            let o = (y * 320 + x) * 3
            return (Int(pixels[o]), Int(pixels[o + 1]), Int(pixels[o + 2]))
        }
        // The box is 100 px at the top of the thumbnail: no room above, so the label sits below it.
        let fill = DrawColor.face, ink = fill.readableText
        var fillPixels = 0, inkPixels = 0
        for y in 104..<130 {
            for x in 96..<220 {
                let p = pixel(x, y)
                if abs(p.r - Int(fill.red)) < 12, abs(p.g - Int(fill.green)) < 12, abs(p.b - Int(fill.blue)) < 12 { fillPixels += 1 }
                if abs(p.r - Int(ink.red)) < 40, abs(p.g - Int(ink.green)) < 40, abs(p.b - Int(ink.blue)) < 40 { inkPixels += 1 }
            }
        }
        #expect(fillPixels > 300, "a label background below the box: \(fillPixels)")
        // Text strokes at least 10 px tall: a label shrunk from the full frame would leave a few specks.
        #expect(inkPixels > 80, "dark text on the light green: \(inkPixels)")
        // The box's top edge (row 0-1) is still the box colour above the label's columns.
        let edge = pixel(150, 0)
        #expect(abs(edge.g - Int(fill.green)) < 30 && abs(edge.r - Int(fill.red)) < 30, "\(edge)")
    }
}
