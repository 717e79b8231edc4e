// Process-wide OpenCV settings.
#include "guard.hpp"

#include <opencv2/core/utils/logger.hpp>

extern "C" {

void pv_set_num_threads(int threads) {
    try {
        cv::setNumThreads(threads);
    } catch (...) {
    }
}

int pv_num_threads(void) {
    try {
        return cv::getNumThreads();
    } catch (...) {
        return 1;
    }
}

void pv_quiet_logs(void) {
    try {
        // Silent: OpenCV's messages would break the JSON-lines logs, and every error they describe also
        // reaches Swift as the shim's error text (the exception's what()).
        cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    } catch (...) {
    }
}

const char *pv_opencv_version(void) { return CV_VERSION; }

// scripts/package defines PROCTOR_GIT_COMMIT (swift build -Xcxx -DPROCTOR_GIT_COMMIT=...); a plain
// checkout build does not, and the binary never runs git to find out.
#ifndef PROCTOR_GIT_COMMIT
#define PROCTOR_GIT_COMMIT "unknown"
#endif
const char *pv_build_commit(void) { return PROCTOR_GIT_COMMIT; }

void pv_buffer_free(uint8_t *buffer) { std::free(buffer); }

}
