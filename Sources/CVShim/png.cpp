// PNG through libpng with message hooks: nothing libpng says reaches stderr (see cvshim_png.h).
#include "guard.hpp"
#include "cvshim_png.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

using pvshim::fail;
using pvshim::guarded;

namespace {

/// Everything libpng's callbacks touch. Plain data: libpng's errors leave through longjmp, which must
/// not skip a destructor.
struct PngRead {
    const uint8_t *data;
    size_t length;
    size_t offset;
    char *warnings;
    size_t warncap;
    size_t warnused;
    int dropped;
    char error[256];
};

PngRead &state_of_error(png_structp png) { return *static_cast<PngRead *>(png_get_error_ptr(png)); }

[[noreturn]] void on_error(png_structp png, png_const_charp message) {
    PngRead &state = state_of_error(png);
    std::snprintf(state.error, sizeof state.error, "%s", message != nullptr ? message : "unknown libpng error");
    png_longjmp(png, 1);
}

void on_warning(png_structp png, png_const_charp message) {
    PngRead &state = state_of_error(png);
    const char *text = message != nullptr ? message : "unknown libpng warning";
    size_t needed = std::strlen(text) + 1;  // plus the newline
    if (state.warnings == nullptr || state.warnused + needed + 1 > state.warncap) {
        state.dropped++;
        return;
    }
    for (const char *c = text; *c != '\0'; c++) state.warnings[state.warnused++] = (*c == '\n' || *c == '\r') ? ' ' : *c;
    state.warnings[state.warnused++] = '\n';
    state.warnings[state.warnused] = '\0';
}

void on_read(png_structp png, png_bytep out, size_t count) {
    auto &state = *static_cast<PngRead *>(png_get_io_ptr(png));
    if (count > state.length - state.offset) png_error(png, "unexpected end of data (truncated PNG)");
    std::memcpy(out, state.data + state.offset, count);
    state.offset += count;
}

// The steps below run under setjmp: libpng's error handler longjmps back to them. They hold no object
// with a destructor, and return false after an error (the message is in PngRead::error).

/// Reads the header and sets the transforms that give 8-bit BGR; the decoded size in *width, *height.
bool read_header(png_structp png, png_infop info, png_uint_32 *width, png_uint_32 *height) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_read_info(png, info);
    png_byte color = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16) png_set_strip_16(png);
    // Transparency is dropped, as OpenCV's IMREAD_COLOR does (tRNS included).
    png_set_strip_alpha(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_bgr(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    *width = png_get_image_width(png, info);
    *height = png_get_image_height(png, info);
    if (png_get_rowbytes(png, info) != static_cast<size_t>(*width) * 3)
        png_error(png, "unexpected row layout after conversion to BGR");
    return true;
}

bool read_rows(png_structp png, png_bytepp rows) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_read_image(png, rows);
    return true;
}

bool read_end(png_structp png) {
    if (setjmp(png_jmpbuf(png))) return false;
    png_read_end(png, nullptr);
    return true;
}

/// Owns libpng's read structures.
struct PngHandles {
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~PngHandles() {
        if (png != nullptr) png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr);
    }
};

}  // namespace

extern "C" {

int pv_image_decode_png(const uint8_t *data, size_t length, uint32_t max_width, uint32_t max_height,
                        size_t max_chunk_bytes, pv_image **out, char *warnings, size_t warncap,
                        int *dropped_warnings, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (warnings != nullptr && warncap > 0) warnings[0] = '\0';
        if (dropped_warnings != nullptr) *dropped_warnings = 0;
        if (data == nullptr || length == 0) return fail(err, errcap, "empty input");
        PngRead state{data, length, 0, warnings, warncap, 0, 0, {}};
        auto report = [&](int status) {
            if (dropped_warnings != nullptr) *dropped_warnings = state.dropped;
            return status;
        };
        PngHandles handles;
        handles.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
        if (handles.png == nullptr) return report(fail(err, errcap, "libpng: cannot create a reader"));
        handles.info = png_create_info_struct(handles.png);
        if (handles.info == nullptr) return report(fail(err, errcap, "libpng: cannot create a reader"));
        png_set_read_fn(handles.png, &state, on_read);
        png_set_user_limits(handles.png, max_width, max_height);
        png_set_chunk_malloc_max(handles.png, max_chunk_bytes);

        png_uint_32 width = 0, height = 0;
        if (!read_header(handles.png, handles.info, &width, &height))
            return report(fail(err, errcap, std::string("PNG: ") + state.error));
        cv::Mat bgr(static_cast<int>(height), static_cast<int>(width), CV_8UC3);
        std::vector<png_bytep> rows(height);
        for (png_uint_32 y = 0; y < height; y++) rows[y] = bgr.ptr<png_byte>(static_cast<int>(y));
        if (!read_rows(handles.png, rows.data()))
            return report(fail(err, errcap, std::string("PNG: ") + state.error));
        // Every pixel is in: damage after the image data (a missing IEND, a bad trailing chunk) costs
        // nothing, so it is a warning rather than a lost frame.
        if (!read_end(handles.png)) {
            std::string note = std::string("after the image data: ") + state.error;
            on_warning(handles.png, note.c_str());
        }
        *out = pvshim::wrap(std::move(bgr));
        return report(0);
    });
}

}
