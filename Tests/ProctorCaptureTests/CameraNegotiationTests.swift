import CV4L2
import FakeV4L2
import ProctorCapture
import ProctorImaging
import Testing

extension FakeCameraTests {
    /// Format negotiation and conversion, through the real ``V4L2Camera`` against the fake device.
    @Suite struct Negotiation {
        @Test func picksMJPEGWhenOffered() throws {
            try Fixture.camera(yuyv: (64, 48), mjpeg: (64, 48))
            let camera = V4L2Camera(path: fakePath, width: 64, height: 48)
            try camera.open()
            defer { camera.close() }
            #expect(camera.format?.pixelFormat == .mjpeg)
            #expect(camera.cardName == "Fake Camera")
            #expect(try camera.grab(until: { false }) != nil)
            let image = try camera.retrieve()
            #expect(image.width == 64 && image.height == 48)
            let color = try meanColor(image)
            #expect(color.b > 230 && color.g < 25 && color.r < 25, "expected blue, got \(color)")
        }

        @Test func fallsBackToYUYVAndConvertsColour() throws {
            try Fixture.camera(yuyv: (320, 240), extra: [h264Fourcc])
            let camera = V4L2Camera(path: fakePath, width: 320, height: 240)
            try camera.open()
            defer { camera.close() }
            #expect(camera.format?.pixelFormat == .yuyv)
            #expect(camera.format?.width == 320 && camera.format?.height == 240)
            #expect(camera.format?.bytesPerLine == 640)
            #expect(try camera.grab(until: { false }) != nil)
            let image = try camera.retrieve()
            #expect(image.width == 320 && image.height == 240)
            let color = try meanColor(image)
            #expect(color.r > 220 && color.g < 35 && color.b < 35, "expected red, got \(color)")
        }

        @Test func takesTheSizeTheDriverGrants() throws {
            try Fixture.camera(yuyv: (160, 120))
            let camera = V4L2Camera(path: fakePath)  // asks for the default 640x480
            try camera.open()
            defer { camera.close() }
            #expect(camera.format?.width == 160 && camera.format?.height == 120)
            _ = try camera.grab(until: { false })
            let image = try camera.retrieve()
            #expect(image.width == 160 && image.height == 120)
        }

        @Test func reportsTheGrantedFrameInterval() throws {
            try Fixture.camera(mjpeg: (64, 48), fps: 15)
            let camera = V4L2Camera(path: fakePath, width: 64, height: 48, fps: 60)
            try camera.open()
            defer { camera.close() }
            #expect(camera.format?.frameRate == 15)
            #expect(camera.description.contains("MJPEG 64x48 @ 15.0 fps"))
        }

        @Test func refusesCamerasWithoutAConvertibleFormat() throws {
            try Fixture.camera(extra: [h264Fourcc])
            let camera = V4L2Camera(path: fakePath)
            #expect {
                try camera.open()
            } throws: { error in
                let error = error as? CaptureError
                return error?.kind == .unsupported
                    && error?.message == "camera \(fakePath) offers no MJPEG or YUYV (offers: H264)"
            }
            #expect(fakev4l2_open_descriptors() == 0)
        }

        @Test func framesArriveAtTheCameraRate() throws {
            try Fixture.camera(mjpeg: (64, 48), fps: 30)
            let clock = FakeDeviceClock.install(allowing: .infinity)
            let camera = V4L2Camera(path: fakePath, width: 64, height: 48, clock: clock)
            try camera.open()
            var times: [Double] = []
            for _ in 0..<10 {
                if let time = try camera.grab(until: { false }) { times.append(time) }
            }
            camera.close()
            #expect(times.count == 10)
            let span = (times.last ?? 0) - (times.first ?? 0)
            #expect(abs(span - 9.0 / 30) < 0.001, "10 frames at 30 fps span \(span) s")
            #expect(fakev4l2_open_descriptors() == 0)
            #expect(fakev4l2_mapped_buffers() == 0)
        }
    }
}
