// A debugging aid: reports at exit whether the heavy OpenCV IO libraries were ever loaded, which is
// how the tests check that decoding a plain JPEG keeps imgcodecs (and its ~45 MB of dependencies) out
// of the process.
#include "cvshim.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void report() {
    bool imgcodecs = false, videoio = false, io_library = false;
    if (FILE *maps = std::fopen("/proc/self/maps", "r")) {
        char line[4096];
        while (std::fgets(line, sizeof line, maps) != nullptr) {
            imgcodecs = imgcodecs || std::strstr(line, "libopencv_imgcodecs") != nullptr;
            videoio = videoio || std::strstr(line, "libopencv_videoio") != nullptr;
            io_library = io_library || std::strstr(line, "libProctorCVIO") != nullptr;
        }
        std::fclose(maps);
    }
    std::fprintf(stderr, "proctor-debug-maps: libopencv_imgcodecs=%s libopencv_videoio=%s libProctorCVIO=%s\n",
                 imgcodecs ? "mapped" : "absent", videoio ? "mapped" : "absent", io_library ? "mapped" : "absent");
}

}  // namespace

extern "C" void pv_report_mapped_io_at_exit(void) { std::atexit(report); }
