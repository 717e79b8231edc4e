// Video files and network streams: forwarded to cv::VideoCapture in libProctorCVIO.so, so videoio
// (ffmpeg, gstreamer) is only mapped by processes that read video.
#include "guard.hpp"
#include "io_loader.hpp"

using pvshim::fail;
using pvshim::guarded;

extern "C" {

int pv_video_open(const char *source, pv_video **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (source == nullptr) return fail(err, errcap, "no source");
        const auto *io = pvshim::io_library();
        if (io == nullptr) return fail(err, errcap, PVIO_LIBRARY_NAME " is not loaded");
        return io->video_open(source, out, err, errcap);
    });
}

// A video handle exists only if the library loaded, so these need no load check beyond null.
void pv_video_free(pv_video *video) {
    try {
        if (const auto *io = pvshim::io_library(); video != nullptr && io != nullptr) io->video_free(video);
    } catch (...) {
    }
}

int pv_video_read(pv_video *video, pv_image **out, double *position_ms, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        const auto *io = pvshim::io_library();
        if (video == nullptr || io == nullptr) return fail(err, errcap, "invalid video");
        return io->video_read(video, out, position_ms, err, errcap);
    });
}

double pv_video_fps(const pv_video *video) {
    try {
        const auto *io = pvshim::io_library();
        return video != nullptr && io != nullptr ? io->video_fps(video) : 0.0;
    } catch (...) {
        return 0.0;
    }
}

}
