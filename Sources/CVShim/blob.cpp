// The network input blob: letterbox (OpenCV resize) and HWC -> CHW float conversion.
#include "guard.hpp"
#include "include/cvshim_inference.h"

#include <opencv2/imgproc.hpp>

using pvshim::fail;
using pvshim::guarded;

namespace {

// The letterbox canvas, kept per thread between frames: at a steady input size no frame allocates it
// again (a fresh 400 KB buffer per frame is a fresh mapping and ~100 page faults).
thread_local cv::Mat canvas_buffer;

// (pixel - mean) * scale per channel, interleaved BGR rows to planar CHW, written straight into `out`.
// The same float arithmetic as cv::dnn::blobFromImage (subtract, then multiply) without its two
// full-size float temporaries.
void planar(const cv::Mat &image, float mean, float scale, bool swap_rb, float *out) {
    const size_t plane = size_t(image.rows) * size_t(image.cols);
    float *first = out, *second = out + plane, *third = out + 2 * plane;
    if (swap_rb) std::swap(first, third);
    for (int y = 0; y < image.rows; y++) {
        const uchar *row = image.ptr<uchar>(y);
        const size_t offset = size_t(y) * size_t(image.cols);
        for (int x = 0; x < image.cols; x++) {
            first[offset + x] = (float(row[3 * x]) - mean) * scale;
            second[offset + x] = (float(row[3 * x + 1]) - mean) * scale;
            third[offset + x] = (float(row[3 * x + 2]) - mean) * scale;
        }
    }
}

// The same values as planar, laid out as YOLOX's Focus layer slices them: 12 planes of half size,
// the pixel phases (row 0, col 0), (row 1, col 0), (row 0, col 1), (row 1, col 1), three channels each.
void write_space_to_depth(const cv::Mat &image, float mean, float scale, bool swap_rb, float *out) {
    const int half_width = image.cols / 2, half_height = image.rows / 2;
    const size_t plane = size_t(half_width) * size_t(half_height);
    for (int y = 0; y < 2 * half_height; y++) {
        const uchar *row = image.ptr<uchar>(y);
        const size_t offset = size_t(y / 2) * size_t(half_width);
        for (int x = 0; x < 2 * half_width; x++) {
            float *phase = out + size_t(((x & 1) * 2 + (y & 1)) * 3) * plane + offset + size_t(x / 2);
            float blue = (float(row[3 * x]) - mean) * scale, green = (float(row[3 * x + 1]) - mean) * scale,
                  red = (float(row[3 * x + 2]) - mean) * scale;
            phase[0] = swap_rb ? red : blue;
            phase[plane] = green;
            phase[2 * plane] = swap_rb ? blue : red;
        }
    }
}

}  // namespace

extern "C" int pv_image_blob(const pv_image *image, int width, int height, int content_width, int content_height,
                             double pad_value, double scale_factor, double mean, int swap_rb, int space_to_depth,
                             float *out, size_t capacity, double *letterbox_scale, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (image == nullptr || image->mat.empty() || out == nullptr || width <= 0 || height <= 0 || width > 8192 ||
            height > 8192)
            return fail(err, errcap, "invalid input");
        if (capacity < size_t(3) * size_t(width) * size_t(height)) return fail(err, errcap, "blob buffer too small");
        if (space_to_depth && (width % 2 != 0 || height % 2 != 0)) return fail(err, errcap, "space-to-depth needs an even size");
        const cv::Mat &frame = image->mat;
        if (frame.type() != CV_8UC3) return fail(err, errcap, "blob input is not 8-bit BGR");
        content_width = std::clamp(content_width, 1, width);
        content_height = std::clamp(content_height, 1, height);
        double r = std::min(double(content_width) / frame.cols, double(content_height) / frame.rows);
        const cv::Mat *canvas = &frame;
        if (frame.cols == width && frame.rows == height && content_width == width && content_height == height) {
            r = 1;
        } else {
            // One letterbox for both engines, so they see the same pixels.
            int w = std::max(1, std::min(width, int(frame.cols * r))), h = std::max(1, std::min(height, int(frame.rows * r)));
            canvas_buffer.create(height, width, CV_8UC3);
            const cv::Scalar pad = cv::Scalar::all(pad_value);
            if (w < width) canvas_buffer(cv::Rect(w, 0, width - w, height)).setTo(pad);
            if (h < height) canvas_buffer(cv::Rect(0, h, w, height - h)).setTo(pad);
            cv::Mat roi = canvas_buffer(cv::Rect(0, 0, w, h));
            cv::resize(frame, roi, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
            canvas = &canvas_buffer;
        }
        if (space_to_depth)
            write_space_to_depth(*canvas, float(mean), float(scale_factor), swap_rb != 0, out);
        else
            planar(*canvas, float(mean), float(scale_factor), swap_rb != 0, out);
        *letterbox_scale = r;
        return 0;
    });
}
