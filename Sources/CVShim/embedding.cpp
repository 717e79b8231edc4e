// Face embedding input: warp to the aligned crop and write it as a network blob. The forward pass is the
// inference seam's (either engine); policy (alignment, normalisation, what the output means) is in Swift.
#include "guard.hpp"
#include "cvshim_embedding.h"

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstring>

using pvshim::fail;
using pvshim::guarded;

extern "C" {

int pv_aligned_blob(const pv_image *image, const double *matrix, int side, double mean, double scale, int swap_rb,
                    float *out, size_t capacity, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (image == nullptr || image->mat.empty() || matrix == nullptr || out == nullptr)
            return fail(err, errcap, "invalid input");
        if (side < 16 || side > 1024) return fail(err, errcap, "invalid embedding input size");
        if (capacity < size_t(3) * size_t(side) * size_t(side)) return fail(err, errcap, "blob buffer too small");
        for (int i = 0; i < 6; ++i)
            if (!std::isfinite(matrix[i])) return fail(err, errcap, "alignment matrix is not finite");
        if (!std::isfinite(mean) || !std::isfinite(scale)) return fail(err, errcap, "normalisation is not finite");
        cv::Mat affine(2, 3, CV_64F);
        for (int i = 0; i < 6; ++i) affine.at<double>(i / 3, i % 3) = matrix[i];
        const cv::Size size(side, side);
        cv::Mat crop;
        cv::warpAffine(image->mat, crop, affine, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar());
        cv::Mat blob = cv::dnn::blobFromImage(crop, scale, size, cv::Scalar::all(mean), swap_rb != 0, false, CV_32F);
        if (!blob.isContinuous() || blob.total() != size_t(3) * size_t(side) * size_t(side))
            return fail(err, errcap, "unexpected blob");
        std::memcpy(out, blob.ptr<float>(), sizeof(float) * blob.total());
        return 0;
    });
}

}
