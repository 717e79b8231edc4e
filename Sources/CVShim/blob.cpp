// The network input blob: letterbox (OpenCV resize) and HWC -> CHW float conversion.
#include "guard.hpp"
#include "include/cvshim_inference.h"

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

using pvshim::fail;
using pvshim::guarded;

extern "C" int pv_image_blob(const pv_image *image, int width, int height, double pad_value, double scale_factor,
                             double mean, int swap_rb, float *out, size_t capacity, double *letterbox_scale,
                             char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (image == nullptr || image->mat.empty() || out == nullptr || width <= 0 || height <= 0 || width > 8192 ||
            height > 8192)
            return fail(err, errcap, "invalid input");
        if (capacity < size_t(3) * size_t(width) * size_t(height)) return fail(err, errcap, "blob buffer too small");
        const cv::Mat &frame = image->mat;
        double r = std::min(double(width) / frame.cols, double(height) / frame.rows);
        cv::Mat canvas;
        if (frame.cols == width && frame.rows == height) {
            canvas = frame;
            r = 1;
        } else {
            // One letterbox for both engines, so they see the same pixels.
            int w = std::max(1, int(frame.cols * r)), h = std::max(1, int(frame.rows * r));
            canvas.create(height, width, CV_8UC3);
            canvas.setTo(cv::Scalar::all(pad_value));
            cv::Mat roi = canvas(cv::Rect(0, 0, w, h));
            cv::resize(frame, roi, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
        }
        // blobFromImage writes straight into the caller's buffer (create() keeps a matching header).
        int shape[] = {1, 3, height, width};
        cv::Mat blob(4, shape, CV_32F, out);
        cv::dnn::blobFromImage(canvas, blob, scale_factor, cv::Size(), cv::Scalar::all(mean), swap_rb != 0, false,
                               CV_32F);
        if (blob.data != reinterpret_cast<uchar *>(out)) return fail(err, errcap, "blob was reallocated");
        *letterbox_scale = r;
        return 0;
    });
}
