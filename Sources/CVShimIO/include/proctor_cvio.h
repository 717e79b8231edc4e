// The entry points of libProctorCVIO.so (target CVShimIO), the part of the shim that needs OpenCV's
// imgcodecs and videoio. Internal to proctor-vision: Swift code uses cvshim.h only.
//
// Those two libraries drag in GDAL, GDCM, poppler, OpenEXR, ffmpeg and gstreamer at load time (about
// 60 MB of resident memory), so CVShim does not link them: it dlopens the IO library on first need and
// resolves these plain C names with dlsym (CVShim/io_loader.cpp). The names and signatures are the contract
// between the two targets; change PVIO_ABI_VERSION whenever they change, so a stale library next to a
// new binary is refused instead of called with the wrong arguments.
#ifndef PROCTOR_CVIO_H
#define PROCTOR_CVIO_H

#include <stddef.h>
#include <stdint.h>

#include "cvshim.h"

#ifdef __APPLE__
#define PVIO_LIBRARY_NAME "libProctorCVIO.dylib"
#else
#define PVIO_LIBRARY_NAME "libProctorCVIO.so"
#endif

#define PVIO_ABI_VERSION 1

// Explicit, in case a build ever compiles with hidden visibility by default: dlsym needs these.
#define PVIO_EXPORT __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

PVIO_EXPORT int pvio_abi_version(void);
/// cv::imdecode to 8-bit BGR (any format imgcodecs reads; applies EXIF orientation).
PVIO_EXPORT int pvio_image_decode(const uint8_t *data, size_t length, pv_image **out, char *err,
                                  size_t errcap);
/// The pv_video_* functions of cvshim.h, implemented over cv::VideoCapture.
PVIO_EXPORT int pvio_video_open(const char *source, pv_video **out, char *err, size_t errcap);
PVIO_EXPORT void pvio_video_free(pv_video *video);
PVIO_EXPORT int pvio_video_read(pv_video *video, pv_image **out, double *position_ms, char *err,
                                size_t errcap);
PVIO_EXPORT double pvio_video_fps(const pv_video *video);

#ifdef __cplusplus
}
#endif

#endif
