// The two decoders, each on its own: TurboJPEG (in-process, light) and OpenCV's imgcodecs from
// libProctorCVIO.so. Which one reads which bytes, and in which order, is decided in Swift
// (ProctorVision/DecoderOrder.swift).
#include "guard.hpp"
#include "io_loader.hpp"
#include "turbojpeg.hpp"

using pvshim::fail;
using pvshim::guarded;

extern "C" {

int pv_image_decode(const uint8_t *data, size_t length, pv_image **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (data == nullptr || length == 0) return fail(err, errcap, "empty input");
        const auto *io = pvshim::io_library();
        if (io == nullptr) return fail(err, errcap, PVIO_LIBRARY_NAME " is not loaded");
        return io->image_decode(data, length, out, err, errcap);
    });
}

int pv_image_decode_jpeg(const uint8_t *data, size_t length, double max_pixels, pv_image **out, char *err,
                         size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (data == nullptr || length == 0) return fail(err, errcap, "empty input");
        cv::Mat bgr;
        std::string why;
        if (pvshim::turbo_decode(data, length, max_pixels, bgr, why) == pvshim::TurboDecode::unreadable) {
            fail(err, errcap, why);
            return PV_JPEG_UNREADABLE;
        }
        *out = pvshim::wrap(std::move(bgr));
        return 0;
    });
}

}
