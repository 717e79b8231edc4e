import CV4L2
import FakeV4L2
import ProctorCapture
import ProctorImaging
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension FakeCameraTests {
    /// Failures at open, and interrupted system calls.
    @Suite struct Faults {
        func openError(_ configure: () -> Void) throws -> CaptureError? {
            try Fixture.camera(mjpeg: (64, 48))
            configure()
            do {
                _ = try FrameSampler(source: V4L2Camera(path: fakePath, width: 64, height: 48))
                return nil
            } catch {
                return error
            }
        }

        @Test func missingDevice() throws {
            let error = try openError { fakev4l2_set_path("/dev/fake-video9") }
            #expect(error?.kind == .notFound)
            #expect(error?.description == "no camera at /dev/fake-video0")
        }

        @Test func permissionDenied() throws {
            let error = try openError { fakev4l2_set_open_errno(EACCES) }
            #expect(error?.kind == .permissionDenied)
            #expect(error?.description == "permission denied opening camera /dev/fake-video0 (is the user in the 'video' group?)")
        }

        @Test func busyAtOpen() throws {
            let error = try openError { fakev4l2_set_open_errno(EBUSY) }
            #expect(error?.kind == .busy)
            #expect(error?.description == "camera /dev/fake-video0 is busy (another program is using it)")
        }

        @Test func busyAtFormatNegotiation() throws {
            let error = try openError { fakev4l2_set_busy(1) }
            #expect(error?.kind == .busy)
            #expect(error?.description == "camera /dev/fake-video0 is busy (another program is using it)")
            #expect(fakev4l2_open_descriptors() == 0)
        }

        @Test func errorsAreOneLine() throws {
            for code in [ENOENT, EACCES, EBUSY, EIO] {
                let error = try openError { fakev4l2_set_open_errno(code) }
                let message = error?.description ?? ""
                #expect(!message.isEmpty && !message.contains("\n"))
            }
        }

        @Test func retriesInterruptedCalls() throws {
            try Fixture.camera(yuyv: (64, 48))
            // Every other call fails: open and each ioctl of negotiation, then the first polls and DQBUFs.
            fakev4l2_inject_eintr(20)
            let camera = V4L2Camera(path: fakePath, width: 64, height: 48)
            try camera.open()
            defer { camera.close() }
            for _ in 0..<8 { #expect(try camera.grab(until: { false }) != nil) }
            #expect(fakev4l2_eintr_pending() == 0)
            #expect(try camera.retrieve().width == 64)
        }
    }
}
