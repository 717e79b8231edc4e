// A thin C interface over the parts of OpenCV that proctor-vision uses.
//
// Rules of this header:
// - Plain C only: opaque handles, integers, floats and byte buffers. No C++ type crosses it.
// - Every fallible call returns 0 on success or -1 on failure and writes a one-line message into
//   `err` (capacity `errcap`, always NUL-terminated). No C++ exception ever escapes: each entry point
//   catches everything.
// - Policy (thresholds, scaling decisions, decoding of network outputs, NMS, verdicts) lives in Swift.
#ifndef PROCTOR_CVSHIM_H
#define PROCTOR_CVSHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An 8-bit, 3-channel BGR image owned by the shim.
typedef struct pv_image pv_image;
/// A YuNet face detector (`cv::FaceDetectorYN`).
typedef struct pv_yunet pv_yunet;
/// A Haar cascade classifier (`cv::CascadeClassifier`).
typedef struct pv_cascade pv_cascade;
/// A `cv::dnn::Net` plus the memory of its last output.
/// A `cv::VideoCapture` over a file or URL.
typedef struct pv_video pv_video;

/// The number of floats YuNet writes per face: box (4), five landmarks (10), score (1).
#define PV_FACE_ROW_FLOATS 15

// MARK: - Runtime

/// Sets the number of threads OpenCV's parallel loops may use (1 = run in the calling thread).
void pv_set_num_threads(int threads);
int pv_num_threads(void);
/// Silences OpenCV's own log output below errors.
void pv_quiet_logs(void);
/// The OpenCV version string, e.g. "4.6.0".
const char *pv_opencv_version(void);
/// The git commit the binary was built from (embedded at build time), or "unknown".
const char *pv_build_commit(void);

// MARK: - The IO library (imgcodecs + videoio)

/// The IO library's file name on this platform ("libProctorCVIO.so").
const char *pv_io_library_name(void);
/// Writes the directory of the code object holding this shim (the executable, or a shared library)
/// into `out` (capacity `capacity`).
int pv_shim_directory(char *out, size_t capacity, char *err, size_t errcap);
/// Loads the IO library from the first of `paths` (library files) that loads and has every entry
/// point. Once per process: the first success stays; a failure may be retried. Without it,
/// `pv_image_decode` and `pv_video_open` fail.
int pv_io_load(const char *const *paths, int count, char *err, size_t errcap);
/// Whether pv_io_load succeeded.
int pv_io_loaded(void);

// MARK: - Images

/// Decodes an encoded image (JPEG, PNG, BMP, TIFF, WebP, PNM...) to 8-bit BGR with OpenCV's
/// imgcodecs, honouring EXIF orientation. Grayscale, alpha, 16-bit and CMYK inputs are converted.
/// imgcodecs lives in libProctorCVIO.so: fails unless `pv_io_load` succeeded.
int pv_image_decode(const uint8_t *data, size_t length, pv_image **out, char *err, size_t errcap);
/// What `pv_image_decode_jpeg` returns when TurboJPEG cannot read the bytes (CMYK/YCCK, corrupt...):
/// another decoder may. The message says what TurboJPEG reported.
#define PV_JPEG_UNREADABLE (-2)
/// Decodes a JPEG to 8-bit BGR with TurboJPEG, ignoring EXIF orientation; grayscale is converted.
/// Fails (-1) when its header claims more than `max_pixels` pixels, before any pixel is allocated.
int pv_image_decode_jpeg(const uint8_t *data, size_t length, double max_pixels, pv_image **out, char *err,
                         size_t errcap);
/// Copies packed BGR24 pixels (`stride` bytes per row) into a new image.
int pv_image_from_bgr(const uint8_t *data, int width, int height, size_t stride, pv_image **out,
                      char *err, size_t errcap);
/// Converts packed YUYV 4:2:2 pixels (`stride` bytes per row) into a new BGR image.
int pv_image_from_yuyv(const uint8_t *data, int width, int height, size_t stride, pv_image **out,
                       char *err, size_t errcap);
void pv_image_free(pv_image *image);
int pv_image_width(const pv_image *image);
int pv_image_height(const pv_image *image);
/// Copies the BGR pixels into `out` (capacity `capacity`, needs width*height*3 bytes).
int pv_image_copy_bgr(const pv_image *image, uint8_t *out, size_t capacity, char *err, size_t errcap);
/// A resized copy: area interpolation when shrinking, linear when enlarging.
int pv_image_resized(const pv_image *image, int width, int height, pv_image **out, char *err,
                     size_t errcap);
/// A copy with borders added (replicated edge pixels).
int pv_image_padded(const pv_image *image, int top, int bottom, int left, int right, pv_image **out,
                    char *err, size_t errcap);
/// A copy of the rectangle (clipped to the image).
int pv_image_cropped(const pv_image *image, int x, int y, int width, int height, pv_image **out,
                     char *err, size_t errcap);
/// A deep copy.
int pv_image_clone(const pv_image *image, pv_image **out, char *err, size_t errcap);

/// Luminance statistics of an image, measured on a grayscale copy at most `sample_side` px wide/high.
typedef struct pv_image_stats {
    double mean_luma;       ///< 0...255
    double contrast;        ///< standard deviation of luma, 0...~128
    double sharpness;       ///< variance of the Laplacian of luma
} pv_image_stats;
int pv_image_measure(const pv_image *image, int sample_side, pv_image_stats *out, char *err,
                     size_t errcap);
/// Writes a `width` x `height` grayscale thumbnail (area-averaged) into `out` (width*height bytes).
int pv_image_gray_thumbnail(const pv_image *image, int width, int height, uint8_t *out, char *err,
                            size_t errcap);

/// Encodes as baseline JPEG, 4:2:0, with TurboJPEG. `*out` is allocated with malloc; release it with `pv_buffer_free`.
int pv_image_encode_jpeg(const pv_image *image, int quality, uint8_t **out, size_t *length,
                         char *err, size_t errcap);
void pv_buffer_free(uint8_t *buffer);
/// Draws a rectangle outline (labels: `pv_image_draw_label`, placed by Swift's LabelLayout).
int pv_image_draw_box(pv_image *image, int x, int y, int width, int height, uint8_t blue,
                      uint8_t green, uint8_t red, int thickness, char *err, size_t errcap);
/// The size of `text` (ASCII) in OpenCV's Hershey simplex font: width, height above the baseline,
/// and the depth below it.
int pv_text_size(const char *text, double scale, int thickness, int *width, int *height, int *baseline,
                 char *err, size_t errcap);
/// Fills the rectangle (x, y, width, height) and writes `text` with its baseline starting at (text_x, text_y).
int pv_image_draw_label(pv_image *image, int x, int y, int width, int height, uint8_t fill_blue,
                        uint8_t fill_green, uint8_t fill_red, int text_x, int text_y, uint8_t text_blue,
                        uint8_t text_green, uint8_t text_red, double scale, int thickness, const char *text,
                        char *err, size_t errcap);
/// Draws a filled circle.
int pv_image_draw_point(pv_image *image, int x, int y, int radius, uint8_t blue, uint8_t green,
                        uint8_t red, char *err, size_t errcap);

// MARK: - Face detection

/// Loads a YuNet ONNX model. Thresholds are applied inside OpenCV (score, NMS IoU, top-K).
int pv_yunet_create(const char *model_path, float score_threshold, float nms_threshold, int top_k,
                    pv_yunet **out, char *err, size_t errcap);
void pv_yunet_free(pv_yunet *detector);
/// Detects faces in `image` at its own size (callers scale first; YuNet needs about 64 px or more).
/// Writes up to `capacity` rows of PV_FACE_ROW_FLOATS floats; `*count` gets the number of faces found
/// (which may exceed `capacity`).
int pv_yunet_detect(pv_yunet *detector, const pv_image *image, float *rows, int capacity, int *count,
                    char *err, size_t errcap);

/// Loads a Haar cascade XML file.
int pv_cascade_create(const char *path, pv_cascade **out, char *err, size_t errcap);
void pv_cascade_free(pv_cascade *cascade);
/// Detects objects on the equalized grayscale of `image`. Writes up to `capacity` boxes as
/// x, y, w, h floats plus the cascade's raw level weight (an unbounded margin, not a probability).
int pv_cascade_detect(pv_cascade *cascade, const pv_image *image, double scale_factor,
                      int min_neighbors, int min_size, float *boxes, int capacity, int *count,
                      char *err, size_t errcap);

// MARK: - Geometry

/// Solves a perspective-n-point problem with Levenberg-Marquardt starting from the given rvec/tvec
/// (works with 4-5 points, where OpenCV's default DLT start needs 6). Points are packed xyz / xy
/// floats. On success `rvec`, `tvec` hold the refined pose and `rotation` the 3x3 row-major matrix.
int pv_solve_pnp(const double *object_points, const double *image_points, int count, double fx,
                 double fy, double cx, double cy, double *rvec, double *tvec, double *rotation,
                 char *err, size_t errcap);

// MARK: - Video files and streams

/// Opens a video file or URL through OpenCV's video I/O (in libProctorCVIO.so: needs `pv_io_load`).
int pv_video_open(const char *source, pv_video **out, char *err, size_t errcap);
void pv_video_free(pv_video *video);
/// Reads the next frame. Returns 1 with `*out` set, 0 at the end of the stream, -1 on error.
/// `*position_ms` gets the frame's media time in milliseconds.
int pv_video_read(pv_video *video, pv_image **out, double *position_ms, char *err, size_t errcap);
/// The container's frame rate (0 when unknown).
double pv_video_fps(const pv_video *video);

#ifdef __cplusplus
}
#endif

#endif
