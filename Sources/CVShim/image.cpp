// Image conversion, measurement, JPEG encoding and drawing (decoding is in decode.cpp).
#include "guard.hpp"
#include "turbojpeg.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdlib>

using pvshim::fail;
using pvshim::guarded;
using pvshim::wrap;

namespace {

bool valid(const pv_image *image) { return image != nullptr && !image->mat.empty(); }

}  // namespace

extern "C" {

int pv_image_from_bgr(const uint8_t *data, int width, int height, size_t stride, pv_image **out,
                      char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (data == nullptr || width <= 0 || height <= 0 || stride < static_cast<size_t>(width) * 3)
            return fail(err, errcap, "invalid BGR buffer geometry");
        cv::Mat view(height, width, CV_8UC3, const_cast<uint8_t *>(data), stride);
        *out = wrap(view.clone());
        return 0;
    });
}

int pv_image_from_yuyv(const uint8_t *data, int width, int height, size_t stride, pv_image **out,
                       char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (data == nullptr || width <= 0 || height <= 0 || width % 2 != 0 ||
            stride < static_cast<size_t>(width) * 2)
            return fail(err, errcap, "invalid YUYV buffer geometry");
        cv::Mat view(height, width, CV_8UC2, const_cast<uint8_t *>(data), stride);
        cv::Mat bgr;
        cv::cvtColor(view, bgr, cv::COLOR_YUV2BGR_YUYV);
        *out = wrap(std::move(bgr));
        return 0;
    });
}

void pv_image_free(pv_image *image) { delete image; }

int pv_image_width(const pv_image *image) { return image ? image->mat.cols : 0; }
int pv_image_height(const pv_image *image) { return image ? image->mat.rows : 0; }

int pv_image_copy_bgr(const pv_image *image, uint8_t *out, size_t capacity, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (!valid(image) || out == nullptr) return fail(err, errcap, "invalid image");
        const cv::Mat &m = image->mat;
        size_t row = static_cast<size_t>(m.cols) * 3;
        if (capacity < row * m.rows) return fail(err, errcap, "buffer too small");
        for (int y = 0; y < m.rows; ++y) std::memcpy(out + row * y, m.ptr(y), row);
        return 0;
    });
}

int pv_image_resized(const pv_image *image, int width, int height, pv_image **out, char *err,
                     size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (!valid(image) || width <= 0 || height <= 0) return fail(err, errcap, "invalid resize");
        cv::Mat resized;
        // Area averaging against aliasing where a shrink skips whole pixels (by 2 or more); below that
        // bilinear touches every source pixel anyway, and OpenCV's area path at fractional factors costs
        // 8x as much (2.0 against 0.25 ms for 640x480 to 400x300, the face pass's copy of every frame).
        bool shrinking_by_two = width * 2 <= image->mat.cols || height * 2 <= image->mat.rows;
        cv::resize(image->mat, resized, cv::Size(width, height), 0, 0,
                   shrinking_by_two ? cv::INTER_AREA : cv::INTER_LINEAR);
        *out = wrap(std::move(resized));
        return 0;
    });
}

int pv_image_padded(const pv_image *image, int top, int bottom, int left, int right, pv_image **out,
                    char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (!valid(image) || top < 0 || bottom < 0 || left < 0 || right < 0)
            return fail(err, errcap, "invalid padding");
        cv::Mat padded;
        cv::copyMakeBorder(image->mat, padded, top, bottom, left, right, cv::BORDER_REPLICATE);
        *out = wrap(std::move(padded));
        return 0;
    });
}

int pv_image_cropped(const pv_image *image, int x, int y, int width, int height, pv_image **out,
                     char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (!valid(image)) return fail(err, errcap, "invalid image");
        cv::Rect rect = cv::Rect(x, y, width, height) & cv::Rect(0, 0, image->mat.cols, image->mat.rows);
        if (rect.area() <= 0) return fail(err, errcap, "crop outside the image");
        *out = wrap(image->mat(rect).clone());
        return 0;
    });
}

int pv_image_clone(const pv_image *image, pv_image **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (!valid(image)) return fail(err, errcap, "invalid image");
        *out = wrap(image->mat.clone());
        return 0;
    });
}

int pv_image_measure(const pv_image *image, int sample_side, pv_image_stats *out, char *err,
                     size_t errcap) {
    return guarded(err, errcap, [&] {
        if (!valid(image) || out == nullptr) return fail(err, errcap, "invalid image");
        const cv::Mat &m = image->mat;
        cv::Mat small = m;
        int side = std::max(m.cols, m.rows);
        if (sample_side > 0 && side > sample_side) {
            double s = static_cast<double>(sample_side) / side;
            cv::resize(m, small, cv::Size(std::max(1, int(m.cols * s)), std::max(1, int(m.rows * s))), 0, 0,
                       cv::INTER_AREA);
        }
        cv::Mat gray;
        cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
        cv::Scalar mean, stddev;
        cv::meanStdDev(gray, mean, stddev);
        cv::Mat laplacian;
        cv::Laplacian(gray, laplacian, CV_32F);
        cv::Scalar lmean, lstd;
        cv::meanStdDev(laplacian, lmean, lstd);
        out->mean_luma = mean[0];
        out->contrast = stddev[0];
        out->sharpness = lstd[0] * lstd[0];
        return 0;
    });
}

int pv_image_gray_thumbnail(const pv_image *image, int width, int height, uint8_t *out, char *err,
                            size_t errcap) {
    return guarded(err, errcap, [&] {
        if (!valid(image) || out == nullptr || width <= 0 || height <= 0)
            return fail(err, errcap, "invalid thumbnail request");
        cv::Mat gray, thumb;
        cv::cvtColor(image->mat, gray, cv::COLOR_BGR2GRAY);
        cv::resize(gray, thumb, cv::Size(width, height), 0, 0, cv::INTER_AREA);
        for (int y = 0; y < height; ++y) std::memcpy(out + y * width, thumb.ptr(y), width);
        return 0;
    });
}

int pv_image_encode_jpeg(const pv_image *image, int quality, uint8_t **out, size_t *length, char *err,
                         size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        *length = 0;
        if (!valid(image)) return fail(err, errcap, "invalid image");
        *out = pvshim::turbo_encode(image->mat, std::clamp(quality, 1, 100), *length);
        return 0;
    });
}

int pv_image_draw_box(pv_image *image, int x, int y, int width, int height, uint8_t blue, uint8_t green,
                      uint8_t red, int thickness, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (!valid(image)) return fail(err, errcap, "invalid image");
        cv::rectangle(image->mat, cv::Rect(x, y, width, height), cv::Scalar(blue, green, red), std::max(1, thickness));
        return 0;
    });
}

int pv_text_size(const char *text, double scale, int thickness, int *width, int *height, int *baseline,
                 char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (text == nullptr || width == nullptr || height == nullptr || baseline == nullptr)
            return fail(err, errcap, "invalid argument");
        int base = 0;
        cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, std::max(1, thickness), &base);
        *width = size.width;
        *height = size.height;
        *baseline = base;
        return 0;
    });
}

int pv_image_draw_label(pv_image *image, int x, int y, int width, int height, uint8_t fill_blue,
                        uint8_t fill_green, uint8_t fill_red, int text_x, int text_y, uint8_t text_blue,
                        uint8_t text_green, uint8_t text_red, double scale, int thickness, const char *text,
                        char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (!valid(image) || text == nullptr) return fail(err, errcap, "invalid image");
        cv::rectangle(image->mat, cv::Rect(x, y, width, height), cv::Scalar(fill_blue, fill_green, fill_red), cv::FILLED);
        cv::putText(image->mat, text, cv::Point(text_x, text_y), cv::FONT_HERSHEY_SIMPLEX, scale,
                    cv::Scalar(text_blue, text_green, text_red), std::max(1, thickness), cv::LINE_AA);
        return 0;
    });
}

int pv_image_draw_point(pv_image *image, int x, int y, int radius, uint8_t blue, uint8_t green, uint8_t red,
                        char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (!valid(image)) return fail(err, errcap, "invalid image");
        cv::circle(image->mat, cv::Point(x, y), std::max(1, radius), cv::Scalar(blue, green, red), cv::FILLED);
        return 0;
    });
}

}
