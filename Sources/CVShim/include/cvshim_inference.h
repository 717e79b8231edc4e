// Inference backends behind one C shape: a network takes a 1x3xHxW float blob and gives float
// tensors by output name. Two engines implement it: OpenCV's DNN module (`pv_dnn_network`) and the
// OpenVINO runtime (`pv_ov_network`, loaded with dlopen at run time). Pre-processing (the blob) is
// OpenCV's; decoding, NMS and every policy stay in Swift. Same contract as cvshim.h: 0 or -1 plus a
// one-line message, no C++ exception escapes.
#ifndef PROCTOR_CVSHIM_INFERENCE_H
#define PROCTOR_CVSHIM_INFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "cvshim.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The largest tensor rank the shim reports.
#define PV_TENSOR_MAX_RANK 6

/// A network output: `data` is owned by the network and valid until its next forward call.
typedef struct pv_tensor {
    const float *data;
    int64_t dims[PV_TENSOR_MAX_RANK];
    int rank;
    size_t count;  ///< number of floats (the product of dims)
} pv_tensor;

// MARK: - Pre-processing

/// Writes `image` as a 1x3x`height`x`width` float blob into `out` (capacity in floats, at least
/// 3*width*height). The image is scaled to fit (aspect kept, linear interpolation; not resized when it
/// already has that size), placed top-left, and the rest padded with `pad_value`; each value is
/// (pixel - mean) * scale_factor, channels BGR (RGB with `swap_rb`). `*letterbox_scale` gets the scale.
/// The scaled image fits `content_width` x `content_height` too (at most width x height): a smaller
/// content box keeps the scale of a smaller input inside a larger one. With `space_to_depth` (even width
/// and height) the blob is 1x12x(height/2)x(width/2) instead: YOLOX's Focus layer done here, the 2x2
/// pixel phases (row 0, col 0), (row 1, col 0), (row 0, col 1), (row 1, col 1), three channels each.
int pv_image_blob(const pv_image *image, int width, int height, int content_width, int content_height,
                  double pad_value, double scale_factor, double mean, int swap_rb, int space_to_depth, float *out,
                  size_t capacity, double *letterbox_scale, char *err, size_t errcap);

// MARK: - OpenCV DNN

typedef struct pv_dnn_network pv_dnn_network;
/// Loads an ONNX network on OpenCV's CPU backend (threads: pv_set_num_threads, process-wide), from
/// `model_data` (`model_length` bytes) when given, else from `model_path` (which names it in messages).
/// Its input has `channels` channels.
int pv_dnn_network_create(const char *model_path, const uint8_t *model_data, size_t model_length, int channels,
                          pv_dnn_network **out, char *err, size_t errcap);
void pv_dnn_network_free(pv_dnn_network *network);
/// Runs the network on a 1 x channels x `height` x `width` blob and fills `outputs[i]` with the output named
/// `output_names[i]`.
int pv_dnn_network_forward(pv_dnn_network *network, const float *blob, int width, int height,
                           const char *const *output_names, int output_count, pv_tensor *outputs, char *err,
                           size_t errcap);

// MARK: - OpenVINO

/// Loads the OpenVINO C runtime from `library_path` (libopenvino_c.so.*) and creates its core. Once per
/// process: the first success stays; a failure may be retried with another path.
int pv_openvino_load(const char *library_path, char *err, size_t errcap);
/// Whether pv_openvino_load succeeded.
int pv_openvino_loaded(void);
/// The runtime's build number, e.g. "2026.4.1-22982-...", after a successful load ("" before).
const char *pv_openvino_version(void);

typedef struct pv_ov_network pv_ov_network;
/// Reads an ONNX model (from `model_data` when given, kept for each compilation; else from `model_path`)
/// whose input has `channels` channels. It is compiled for the CPU on first use of each input size, with
/// `threads` inference threads and one stream, f32 precision, no core pinning; up to `max_shapes` compiled
/// sizes are kept (the oldest is dropped). `max_shapes` 0 compiles once with dynamic height and width instead.
int pv_ov_network_create(const char *model_path, const uint8_t *model_data, size_t model_length, int channels,
                         int threads, int max_shapes, pv_ov_network **out, char *err, size_t errcap);
void pv_ov_network_free(pv_ov_network *network);
/// Compiles the network for this input size now rather than on its first forward (a dynamic network
/// ignores the size). Not to be called while the same network runs a forward on another thread.
int pv_ov_network_prepare(pv_ov_network *network, int width, int height, char *err, size_t errcap);
/// Same contract as pv_dnn_network_forward.
int pv_ov_network_forward(pv_ov_network *network, const float *blob, int width, int height,
                          const char *const *output_names, int output_count, pv_tensor *outputs, char *err,
                          size_t errcap);

#ifdef __cplusplus
}
#endif

#endif
