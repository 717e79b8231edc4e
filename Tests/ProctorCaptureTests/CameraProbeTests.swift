import CV4L2
import FakeV4L2
import ProctorCapture
import Testing

extension FakeCameraTests {
    /// `proctor doctor`'s camera check, through the real capture code against the fake device.
    @Suite struct Probe {
        @Test func listsFormatsGrabsOneFrameAtTheSizeAndMeasuresBrightness() throws {
            try Fixture.camera(yuyv: (320, 240), extra: [h264Fourcc])
            let probe = try CameraProbe.run(path: fakePath, width: 320, height: 240)
            #expect(probe.offeredFormats == ["H264", "YUYV"], "\(probe.offeredFormats)")
            #expect(probe.format.contains("YUYV 320x240"), "\(probe.format)")
            #expect(probe.width == 320 && probe.height == 240)
            // Pure red: luma 0.299 x 255 = 76.
            #expect(abs(probe.brightness - 76) < 8, "brightness \(probe.brightness)")
            #expect(probe.brightness >= CameraProbe.darkBrightness)
        }

        @Test func aDarkFrameMeasuresDark() throws {
            try Fixture.camera(mjpeg: (64, 48))  // pure blue: luma 0.114 x 255 = 29
            let probe = try CameraProbe.run(path: fakePath, width: 64, height: 48)
            #expect(probe.brightness < CameraProbe.darkBrightness, "brightness \(probe.brightness)")
        }

        @Test func aCameraWithoutAUsableFormatFails() throws {
            try Fixture.camera(extra: [h264Fourcc])
            #expect(throws: CaptureError.self) { _ = try CameraProbe.run(path: fakePath, width: 64, height: 48) }
        }
    }
}
