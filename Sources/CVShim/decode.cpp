// Which decoder reads which bytes: TurboJPEG for JPEG (in-process, light), OpenCV's imgcodecs from
// libProctorCVIO.so for everything else and for the JPEGs TurboJPEG cannot read.
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
        const auto &io = pvshim::io_library();
        if (!io.loaded()) return fail(err, errcap, pvshim::io_missing_message("decoding PNG/BMP/TIFF/WebP/PNM and rotated or CMYK JPEG"));
        return io.image_decode(data, length, out, err, errcap);
    });
}

int pv_image_decode_jpeg(const uint8_t *data, size_t length, pv_image **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (data == nullptr || length == 0) return fail(err, errcap, "empty input");
        cv::Mat bgr;
        std::string why;
        if (pvshim::turbo_decode(data, length, bgr, why) == pvshim::TurboDecode::decoded) {
            *out = pvshim::wrap(std::move(bgr));
            return 0;
        }
        // CMYK/YCCK and other JPEGs TurboJPEG refuses: imgcodecs reads some of them (CMYK).
        const auto &io = pvshim::io_library();
        if (!io.loaded())
            return fail(err, errcap, why + "; " + pvshim::io_missing_message("the fallback JPEG decoder"));
        if (io.image_decode(data, length, out, err, errcap) == 0) return 0;
        // Neither could read it: TurboJPEG's reason is the more specific one.
        return fail(err, errcap, "not a decodable JPEG (" + why + ")");
    });
}

}
