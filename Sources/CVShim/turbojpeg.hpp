// Internal: JPEG decoding and encoding through libjpeg-turbo's TurboJPEG API.
#pragma once

#include <opencv2/core.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace pvshim {

enum class TurboDecode {
    decoded,
    /// TurboJPEG cannot produce BGR from these bytes (CMYK/YCCK, corrupt, not a baseline/progressive
    /// 8-bit JPEG...): another decoder may. `why` says what TurboJPEG reported.
    unreadable,
};

/// Decodes to 8-bit BGR without applying EXIF orientation. Warnings (such as extraneous bytes or a
/// premature end of data) count as success: ImageLoader refuses truncated files before decoding.
/// Throws std::runtime_error when the header claims more than `max_pixels` pixels.
TurboDecode turbo_decode(const uint8_t *data, size_t length, double max_pixels, cv::Mat &bgr, std::string &why);

/// Encodes an 8-bit BGR image as baseline JPEG with 4:2:0 chroma subsampling (what OpenCV's
/// imencode produced before). Returns a malloc'd buffer, or throws std::runtime_error.
uint8_t *turbo_encode(const cv::Mat &bgr, int quality, size_t &length);

}  // namespace pvshim
