import CVShim
import ProctorCore

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
        try shim("draw") { err, cap in
            label.withCString {
                pv_image_draw_box(
                    handle, Int32(box.x.rounded()), Int32(box.y.rounded()), Int32(box.width.rounded()),
                    Int32(box.height.rounded()), color.blue, color.green, color.red, Int32(thickness), $0, err, cap)
            }
        }
    }
}
