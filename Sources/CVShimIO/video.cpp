// Video files and network streams through cv::VideoCapture (reached via CVShim's pv_video_*).
#include "guard.hpp"
#include "proctor_cvio.h"

#include <dlfcn.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

using pvshim::fail;
using pvshim::guarded;

struct pv_video {
    cv::VideoCapture capture;
};

namespace {
// FFmpeg prints decoder complaints ("[h264 @ 0x...] error while decoding MB") straight to stderr,
// which would break the monitor's JSON-lines logs. videoio already loaded libavutil (a link
// dependency), so it is found without loading anything; OpenCV sets FFmpeg's level when its
// backend first registers, during the first open, hence a call before and after each open.
void quiet_ffmpeg() {
    for (const char *name : {"libavutil.so.57", "libavutil.so.58", "libavutil.so.59", "libavutil.so.56"}) {
        void *library = dlopen(name, RTLD_NOW | RTLD_NOLOAD);
        if (library == nullptr) continue;
        auto set_level = reinterpret_cast<void (*)(int)>(dlsym(library, "av_log_set_level"));
        if (set_level != nullptr) set_level(-8);  // AV_LOG_QUIET
        dlclose(library);  // drops only the reference NOLOAD added
        return;
    }
}
}  // namespace

extern "C" {

int pvio_video_open(const char *source, pv_video **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (source == nullptr) return fail(err, errcap, "no source");
        auto *video = new pv_video();
        quiet_ffmpeg();
        const bool opened = video->capture.open(source, cv::CAP_ANY);
        quiet_ffmpeg();
        if (!opened) {
            delete video;
            return fail(err, errcap, std::string("cannot open video source ") + source);
        }
        *out = video;
        return 0;
    });
}

void pvio_video_free(pv_video *video) {
    try {
        delete video;
    } catch (...) {
    }
}

int pvio_video_read(pv_video *video, pv_image **out, double *position_ms, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (video == nullptr) return fail(err, errcap, "invalid video");
        cv::Mat frame;
        if (!video->capture.read(frame) || frame.empty()) return 0;
        *position_ms = video->capture.get(cv::CAP_PROP_POS_MSEC);
        cv::Mat bgr;
        if (frame.type() == CV_8UC3) bgr = frame;
        else if (frame.channels() == 1) cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
        else frame.convertTo(bgr, CV_8UC3);
        *out = pvshim::wrap(bgr.clone());
        return 1;
    });
}

double pvio_video_fps(const pv_video *video) {
    try {
        return video ? const_cast<pv_video *>(video)->capture.get(cv::CAP_PROP_FPS) : 0.0;
    } catch (...) {
        return 0.0;
    }
}

}
