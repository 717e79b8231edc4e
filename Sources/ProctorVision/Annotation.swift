import CVShim
import ProctorCore
import ProctorImaging

/// A colour for drawing, in RGB.
public struct DrawColor: Sendable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let face = DrawColor(red: 40, green: 200, blue: 80)
    public static let phone = DrawColor(red: 220, green: 30, blue: 30)
    public static let person = DrawColor(red: 240, green: 160, blue: 0)
    public static let other = DrawColor(red: 120, green: 120, blue: 120)
}

extension Image {
    /// The thumbnail a report shows: scaled to at most `maxSide` px first, then annotated, so labels are
    /// drawn at a size readable on the thumbnail rather than shrunk with it.
    /// - Parameter analysis: boxes in this image's pixels.
    public func annotatedThumbnail(with analysis: FrameAnalysis, maxSide: Int) throws(VisionError) -> Image {
        let small = try fitting(maxSide: maxSide)
        let factor = Double(small.width) / Double(max(1, width))
        return try small.annotated(with: factor == 1 ? analysis : analysis.scaled(by: factor))
    }

    /// A copy with the faces (boxes and landmarks) and objects of `analysis` drawn on it.
    public func annotated(with analysis: FrameAnalysis) throws(VisionError) -> Image {
        var out: OpaquePointer?
        try shim("annotate") { pv_image_clone(handle, &out, $0, $1) }
        let copy = try Image.wrap(out)
        let thickness = max(2, min(width, height) / 240)
        for object in analysis.objects {
            let color: DrawColor =
                switch object.label {
                case DetectedObject.phoneLabel: .phone
                case DetectedObject.personLabel: .person
                default: .other
                }
            try copy.drawBox(object.box, color: color, thickness: thickness, label: "\(object.label) \(Int(object.score * 100))%")
        }
        for face in analysis.faces {
            var label = "face \(Int(face.score * 100))%"
            if let pose = face.pose { label += " yaw \(Int(pose.yaw.rounded()))" }
            try copy.drawBox(face.box, color: .face, thickness: thickness, label: label)
            for point in face.landmarks?.points ?? [] {
                try shim("draw") {
                    pv_image_draw_point(copy.handle, Int32(point.x), Int32(point.y), Int32(thickness + 1), 0, 255, 255, $0, $1)
                }
            }
        }
        return copy
    }

    private func drawBox(_ box: BoundingBox, color: DrawColor, thickness: Int, label: String) throws(VisionError) {
        let rect = (x: Int(box.x.rounded()), y: Int(box.y.rounded()), width: Int(box.width.rounded()), height: Int(box.height.rounded()))
        try shim("draw") { err, cap in
            pv_image_draw_box(
                handle, Int32(rect.x), Int32(rect.y), Int32(rect.width), Int32(rect.height), color.blue, color.green,
                color.red, Int32(thickness), err, cap)
        }
        guard !label.isEmpty else { return }
        let scale = LabelLayout.fontScale(imageWidth: width, imageHeight: height)
        var size: (width: Int32, height: Int32, baseline: Int32) = (0, 0, 0)
        try shim("draw") { err, cap in
            label.withCString { pv_text_size($0, scale, 1, &size.width, &size.height, &size.baseline, err, cap) }
        }
        let layout = LabelLayout.place(
            box: rect, thickness: thickness, text: (Int(size.width), Int(size.height), Int(size.baseline)),
            imageWidth: width, imageHeight: height)
        let ink = color.readableText
        try shim("draw") { err, cap in
            label.withCString {
                pv_image_draw_label(
                    handle, Int32(layout.x), Int32(layout.y), Int32(layout.width), Int32(layout.height), color.blue,
                    color.green, color.red, Int32(layout.textX), Int32(layout.textY), ink.blue, ink.green, ink.red, scale, 1,
                    $0, err, cap)
            }
        }
    }
}

extension FrameAnalysis {
    /// The analysis in the coordinates of a copy of its frame scaled by `factor`.
    public func scaled(by factor: Double) -> FrameAnalysis {
        guard factor != 1 else { return self }
        var copy = self
        copy.width = Int((Double(width) * factor).rounded())
        copy.height = Int((Double(height) * factor).rounded())
        copy.faces = faces.map { face in
            var face = face
            face.box = face.box.scaled(by: factor)
            face.landmarks = face.landmarks?.scaled(by: factor)
            return face
        }
        copy.objects = objects.map { object in
            var object = object
            object.box = object.box.scaled(by: factor)
            return object
        }
        return copy
    }
}
