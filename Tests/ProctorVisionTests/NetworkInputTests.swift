import ProctorImaging
import Testing

@testable import ProctorVision

/// The networks' input blob: planar channels of (pixel - mean) * scale, letterboxed top-left with the
/// pad value, written into a buffer reused between frames and sizes.
struct NetworkInputTests {
    /// A `width` x `height` BGR image whose every byte is a known function of its position.
    func gradient(width: Int, height: Int) throws -> (Image, [UInt8]) {
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 { bytes[(y * width + x) * 3 + c] = UInt8((x * 7 + y * 13 + c * 50) % 256) }
            }
        }
        let image = try bytes.withUnsafeBytes { try Image.fromBGR($0, width: width, height: height, stride: width * 3) }
        return (image, bytes)
    }

    @Test func sameSizeIsPlanarWithMeanAndScale() throws {
        let (image, bytes) = try gradient(width: 12, height: 7)
        let input = NetworkInput()
        for swap in [false, true] {
            try input.fill(from: image, width: 12, height: 7, padValue: 114, scale: 0.5, mean: 10, swapRB: swap)
            #expect(input.letterboxScale == 1)
            #expect(input.values.count == 3 * 12 * 7)
            for plane in 0..<3 {
                let channel = swap ? 2 - plane : plane
                for pixel in 0..<(12 * 7) {
                    let expected = (Float(bytes[pixel * 3 + channel]) - 10) * 0.5
                    #expect(input.values[plane * 12 * 7 + pixel] == expected, "plane \(plane) pixel \(pixel)")
                }
            }
        }
    }

    @Test func spaceToDepthHoldsTheFourPixelPhasesInYOLOXsOrder() throws {
        let (image, bytes) = try gradient(width: 12, height: 8)
        let input = NetworkInput()
        for swap in [false, true] {
            try input.fill(from: image, width: 12, height: 8, scale: 0.5, mean: 10, swapRB: swap, layout: .spaceToDepth)
            #expect(input.layout == .spaceToDepth && input.values.count == 3 * 12 * 8)
            // Focus: (row 0, col 0), (row 1, col 0), (row 0, col 1), (row 1, col 1), three channels each.
            for (phase, (dy, dx)) in [(0, 0), (1, 0), (0, 1), (1, 1)].enumerated() {
                for plane in 0..<3 {
                    let channel = swap ? 2 - plane : plane
                    for y in 0..<4 {
                        for x in 0..<6 {
                            let expected = (Float(bytes[((2 * y + dy) * 12 + 2 * x + dx) * 3 + channel]) - 10) * 0.5
                            #expect(input.values[(phase * 3 + plane) * 24 + y * 6 + x] == expected, "phase \(phase) plane \(plane)")
                        }
                    }
                }
            }
        }
        #expect(throws: VisionError.self) { try input.fill(from: image, width: 13, height: 8, layout: .spaceToDepth) }
    }

    @Test func aSmallerImageIsLetterboxedTopLeftWithThePadValue() throws {
        // 8x6 into 16x16: scaled by 2 to 16x12, rows 12...15 are padding in every plane.
        let (image, _) = try gradient(width: 8, height: 6)
        let input = NetworkInput()
        try input.fill(from: image, width: 16, height: 16, padValue: 114)
        #expect(input.letterboxScale == 2)
        for plane in 0..<3 {
            for y in 12..<16 {
                for x in 0..<16 { #expect(input.values[plane * 256 + y * 16 + x] == 114) }
            }
        }
        // Inside the content a smooth gradient stays within its own range (no padding leaked in).
        let content = (0..<12).flatMap { y in (0..<16).map { input.values[y * 16 + $0] } }
        #expect(content.allSatisfy { $0 >= 0 && $0 <= 255 })
        #expect(Set(content).count > 20)
    }

    @Test func aWiderImageIsPaddedOnTheRightAndSizesCanChangeBetweenFrames() throws {
        let (wide, _) = try gradient(width: 20, height: 5)
        let (tall, _) = try gradient(width: 5, height: 20)
        let input = NetworkInput()
        // The canvas kept between calls must be re-made for each size and re-padded each time.
        for _ in 0..<2 {
            try input.fill(from: wide, width: 10, height: 10, padValue: 0)
            #expect(input.letterboxScale == 0.5)
            // 20x5 at 0.5 is 10x2: rows 2...9 are padding.
            #expect((2..<10).allSatisfy { y in (0..<10).allSatisfy { input.values[y * 10 + $0] == 0 } })
            try input.fill(from: tall, width: 10, height: 10, padValue: 255)
            // 5x20 at 0.5 is 2x10: columns 2...9 are padding.
            #expect((0..<10).allSatisfy { y in (2..<10).allSatisfy { input.values[200 + y * 10 + $0] == 255 } })
            try input.fill(from: tall, width: 32, height: 24, padValue: 7)
            #expect(input.values.count == 3 * 32 * 24)
            // 5x20 at 1.2 is 6x24: columns 6...31 are padding.
            #expect((0..<24).allSatisfy { y in (6..<32).allSatisfy { input.values[y * 32 + $0] == 7 } })
        }
    }

    @Test func aContentBoxKeepsASmallerInputsScaleInsideALargerOne() throws {
        // A 100x100 crop shown as into a 32x32 square, but inside a 64x48 input (the zoomed phone look
        // inside the full frame's compiled size): the same scale and pixels, the rest padding.
        let (crop, _) = try gradient(width: 100, height: 100)
        let square = NetworkInput(), inside = NetworkInput()
        try square.fill(from: crop, width: 32, height: 32, padValue: 114)
        try inside.fill(from: crop, width: 64, height: 48, content: (32, 32), padValue: 114)
        #expect(inside.letterboxScale == square.letterboxScale)
        for plane in 0..<3 {
            for y in 0..<48 {
                for x in 0..<64 {
                    let value = inside.values[plane * 64 * 48 + y * 64 + x]
                    if x < 32 && y < 32 {
                        #expect(value == square.values[plane * 32 * 32 + y * 32 + x])
                    } else {
                        #expect(value == 114)
                    }
                }
            }
        }
    }
}
