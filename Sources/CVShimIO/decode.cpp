// Decoding with OpenCV's imgcodecs: every format it reads, EXIF orientation applied.
#include "guard.hpp"
#include "proctor_cvio.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <stdexcept>

using pvshim::fail;
using pvshim::guarded;

namespace {

/// Brings any decoded Mat to 8-bit BGR.
cv::Mat to_bgr8(const cv::Mat &input) {
    cv::Mat image = input;
    if (image.depth() != CV_8U) {
        cv::Mat converted;
        double scale = image.depth() == CV_16U ? 1.0 / 257.0 : (image.depth() == CV_32F || image.depth() == CV_64F ? 255.0 : 1.0);
        image.convertTo(converted, CV_8U, scale);
        image = converted;
    }
    cv::Mat bgr;
    switch (image.channels()) {
    case 1: cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR); break;
    case 3: bgr = image; break;
    case 4: cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR); break;
    default: throw std::runtime_error("unsupported channel count " + std::to_string(image.channels()));
    }
    return bgr;
}

}  // namespace

extern "C" {

int pvio_image_decode(const uint8_t *data, size_t length, pv_image **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (data == nullptr || length == 0) return fail(err, errcap, "empty input");
        cv::Mat buffer(1, static_cast<int>(length), CV_8U, const_cast<uint8_t *>(data));
        // IMREAD_COLOR converts gray/alpha/CMYK to BGR and applies EXIF orientation; 16-bit is
        // reduced to 8-bit by the codec.
        cv::Mat decoded = cv::imdecode(buffer, cv::IMREAD_COLOR);
        if (decoded.empty()) return fail(err, errcap, "not a decodable image");
        *out = pvshim::wrap(to_bgr8(decoded));
        return 0;
    });
}

}
