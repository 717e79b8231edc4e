// PNG decoding through libpng itself, so that libpng's messages reach Swift as data.
//
// OpenCV's PNG reader installs no libpng message hooks: libpng then prints "libpng warning: ..." and
// "libpng error: ..." straight to stderr, which breaks JSON-lines logs. Here every message is caught
// (png_set_error_fn) and handed back: warnings (the image still decodes) in `warnings`, the reason for a
// failure in `err`. Same conventions as cvshim.h.
#ifndef PROCTOR_CVSHIM_PNG_H
#define PROCTOR_CVSHIM_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "cvshim.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Decodes a PNG to 8-bit BGR: palette, gray and low bit depths expanded, alpha dropped, 16-bit reduced
/// to 8, interlacing undone (what OpenCV's IMREAD_COLOR gives). libpng refuses an image wider than
/// `max_width` or taller than `max_height`, and any ancillary chunk (iCCP, zTXt...) that would inflate to
/// more than `max_chunk_bytes`. libpng's warnings are written to `warnings` (capacity `warncap`), one per
/// line, NUL-terminated; ones that do not fit are dropped and counted in `*dropped_warnings`.
int pv_image_decode_png(const uint8_t *data, size_t length, uint32_t max_width, uint32_t max_height,
                        size_t max_chunk_bytes, pv_image **out, char *warnings, size_t warncap,
                        int *dropped_warnings, char *err, size_t errcap);

#ifdef __cplusplus
}
#endif

#endif
