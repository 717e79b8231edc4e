// Internal: runs a body and turns every C++ exception into a -1 return plus a one-line message.
#pragma once

#include <opencv2/core.hpp>

#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "pv_image.hpp"

namespace pvshim {

inline void write_error(char *err, size_t errcap, const std::string &message) {
    if (err == nullptr || errcap == 0) return;
    // One line: OpenCV messages carry file/line prefixes and newlines.
    std::string line;
    line.reserve(message.size());
    for (char c : message) line.push_back((c == '\n' || c == '\r') ? ' ' : c);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::snprintf(err, errcap, "%s", line.c_str());
}

inline std::string describe(const cv::Exception &e) {
    // e.what() includes source paths; the function and message are what a user can act on.
    std::string text = e.err.empty() ? std::string(e.what()) : e.err;
    if (!e.func.empty()) text += " (" + e.func + ")";
    return text;
}

template <typename Body>
int guarded(char *err, size_t errcap, Body &&body) {
    try {
        return body();
    } catch (const cv::Exception &e) {
        write_error(err, errcap, "OpenCV: " + describe(e));
    } catch (const std::bad_alloc &) {
        write_error(err, errcap, "out of memory");
    } catch (const std::exception &e) {
        write_error(err, errcap, e.what());
    } catch (...) {
        write_error(err, errcap, "unknown C++ exception");
    }
    return -1;
}

inline int fail(char *err, size_t errcap, const std::string &message) {
    write_error(err, errcap, message);
    return -1;
}

inline pv_image *wrap(cv::Mat &&mat) {
    auto *image = new pv_image();
    image->mat = std::move(mat);
    return image;
}

}  // namespace pvshim
