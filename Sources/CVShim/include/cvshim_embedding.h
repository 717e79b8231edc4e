// Face embedding: the aligned input crop of a face-recognition network.
//
// Same rules as cvshim.h (plain C, 0 / -1 with a one-line message, no C++ exception escapes). The
// alignment matrix, the input normalisation and everything done with the output (L2 normalisation,
// cosine similarity, thresholds) are decided in Swift.
#ifndef PROCTOR_CVSHIM_EMBEDDING_H
#define PROCTOR_CVSHIM_EMBEDDING_H

#include <stddef.h>
#include <stdint.h>

#include "cvshim.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Warps `image` with the 2x3 row-major affine `matrix` (image -> crop pixels) into a `side` x `side`
/// crop (bilinear, black outside the image) and writes it into `out` as a 1x3x`side`x`side` float blob
/// (capacity in floats, at least 3*side*side), each channel `(value - mean) * scale`, RGB order when
/// `swap_rb`. The network's forward pass is the inference seam's (cvshim_inference.h).
int pv_aligned_blob(const pv_image *image, const double *matrix, int side, double mean, double scale, int swap_rb,
                    float *out, size_t capacity, char *err, size_t errcap);

#ifdef __cplusplus
}
#endif

#endif
