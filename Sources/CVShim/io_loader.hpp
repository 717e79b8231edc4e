// Internal: libProctorCVIO.so (imgcodecs + videoio), loaded on first need.
#pragma once

#include <string>

#include "proctor_cvio.h"

namespace pvshim {

/// The IO library's entry points, or why it could not be loaded.
struct IOLibrary {
    decltype(&pvio_image_decode) image_decode = nullptr;
    decltype(&pvio_video_open) video_open = nullptr;
    decltype(&pvio_video_free) video_free = nullptr;
    decltype(&pvio_video_read) video_read = nullptr;
    decltype(&pvio_video_fps) video_fps = nullptr;
    /// One line (dlerror's text or a version mismatch); empty when loaded.
    std::string error;

    bool loaded() const { return error.empty(); }
};

/// Loads the library the first time it is called (once, thread-safely) and returns the same result
/// ever after: a failed load is not retried, so every later call fails fast with the same message.
const IOLibrary &io_library();

/// "<what> needs libProctorCVIO.so next to the proctor binary: <why>".
std::string io_missing_message(const char *what);

}  // namespace pvshim
