// Internal: libProctorCVIO.so (imgcodecs + videoio), loaded when Swift asks (pv_io_load).
#pragma once

#include <string>

#include "proctor_cvio.h"

namespace pvshim {

/// The IO library's entry points.
struct IOLibrary {
    decltype(&pvio_image_decode) image_decode = nullptr;
    decltype(&pvio_video_open) video_open = nullptr;
    decltype(&pvio_video_free) video_free = nullptr;
    decltype(&pvio_video_read) video_read = nullptr;
    decltype(&pvio_video_fps) video_fps = nullptr;
};

/// The loaded library, or null before a successful pv_io_load. Once set it never changes.
const IOLibrary *io_library();

}  // namespace pvshim
