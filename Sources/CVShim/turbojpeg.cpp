// JPEG through TurboJPEG instead of OpenCV's imgcodecs, whose shared library loads GDAL, GDCM,
// poppler, OpenEXR and more (about 45 MB of resident memory) into every process that links it.
//
// Uses the TurboJPEG 2.x functions (Debian 12 ships 2.1); libjpeg-turbo 3.x keeps them.
#include "turbojpeg.hpp"

#include <turbojpeg.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace pvshim {
namespace {

struct HandleCloser {
    void operator()(void *handle) const { tjDestroy(handle); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

struct BufferFreer {
    void operator()(unsigned char *buffer) const { tjFree(buffer); }
};

std::string message(tjhandle handle) {
    // tjGetErrorStr2(NULL) reports errors from tjInit* themselves.
    const char *text = tjGetErrorStr2(handle);
    return std::string("TurboJPEG: ") + (text != nullptr ? text : "unknown error");
}

/// A nonzero status with TJERR_WARNING means the data had a recoverable problem and the output is
/// complete; only TJERR_FATAL means no usable output.
bool fatal(tjhandle handle, int status) { return status != 0 && tjGetErrorCode(handle) == TJERR_FATAL; }

}  // namespace

TurboDecode turbo_decode(const uint8_t *data, size_t length, double max_pixels, cv::Mat &bgr, std::string &why) {
    Handle handle(tjInitDecompress());
    if (!handle) throw std::runtime_error(message(nullptr));
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    auto size = static_cast<unsigned long>(length);
    // TurboJPEG's API takes non-const source pointers in 2.x but never writes through them.
    auto *source = const_cast<unsigned char *>(data);
    if (fatal(handle.get(), tjDecompressHeader3(handle.get(), source, size, &width, &height, &subsampling, &colorspace))) {
        why = message(handle.get());
        return TurboDecode::unreadable;
    }
    if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
        why = "TurboJPEG: CMYK/YCCK JPEG";
        return TurboDecode::unreadable;
    }
    if (width <= 0 || height <= 0) {
        why = "TurboJPEG: invalid dimensions";
        return TurboDecode::unreadable;
    }
    // The header read here is the one the pixels come from: the caller's cap holds even when its own
    // header scan found no dimensions.
    if (static_cast<double>(width) * height > max_pixels)
        throw std::runtime_error("JPEG too large: " + std::to_string(width) + "x" + std::to_string(height));
    cv::Mat decoded(height, width, CV_8UC3);
    // Flags 0: accurate integer DCT and fancy upsampling, as OpenCV's libjpeg decoder uses, so the
    // detectors see the same pixels as before.
    int status = tjDecompress2(handle.get(), source, size, decoded.data, width, static_cast<int>(decoded.step), height,
                               TJPF_BGR, 0);
    if (fatal(handle.get(), status)) {
        why = message(handle.get());
        return TurboDecode::unreadable;
    }
    bgr = std::move(decoded);
    return TurboDecode::decoded;
}

uint8_t *turbo_encode(const cv::Mat &bgr, int quality, size_t &length) {
    if (bgr.type() != CV_8UC3 || bgr.empty()) throw std::runtime_error("JPEG encoding needs an 8-bit BGR image");
    Handle handle(tjInitCompress());
    if (!handle) throw std::runtime_error(message(nullptr));
    unsigned char *jpeg = nullptr;
    unsigned long size = 0;
    int status = tjCompress2(handle.get(), bgr.data, bgr.cols, static_cast<int>(bgr.step), bgr.rows, TJPF_BGR, &jpeg,
                             &size, TJSAMP_420, quality, 0);
    std::unique_ptr<unsigned char, BufferFreer> owned(jpeg);
    if (fatal(handle.get(), status) || jpeg == nullptr || size == 0) throw std::runtime_error(message(handle.get()));
    // Callers free with pv_buffer_free (free), and tjAlloc's allocator is TurboJPEG's business: copy.
    auto *buffer = static_cast<uint8_t *>(std::malloc(size));
    if (buffer == nullptr) throw std::bad_alloc();
    std::memcpy(buffer, jpeg, size);
    length = size;
    return buffer;
}

}  // namespace pvshim
