// Face embedding: the forward pass of a face-recognition network over an aligned crop.
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

/// A face-embedding network (`cv::dnn::Net` over an ONNX file) plus its reusable buffers.
typedef struct pv_embedder pv_embedder;

/// Loads an ONNX face-embedding network on the OpenCV CPU backend. `input_side` is its square input
/// (112 for MobileFaceNet).
int pv_embedder_load_onnx(const char *model_path, int input_side, pv_embedder **out, char *err, size_t errcap);
void pv_embedder_free(pv_embedder *embedder);

/// Warps `image` with the 2x3 row-major affine `matrix` (image -> crop pixels) into an
/// input_side x input_side crop (bilinear, black outside the image), converts each channel to
/// `(value - mean) * scale` (RGB order when `swap_rb`), runs the network and copies its flattened
/// first output into `out` (capacity `capacity` floats). `*count` gets the output's length, which may
/// exceed `capacity` (then nothing is copied and -1 is returned).
int pv_embedder_embed(pv_embedder *embedder, const pv_image *image, const double *matrix, double mean,
                      double scale, int swap_rb, float *out, int capacity, int *count, char *err,
                      size_t errcap);

#ifdef __cplusplus
}
#endif

#endif
