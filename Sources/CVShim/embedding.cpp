// Face embedding forward pass: warp to the aligned crop, normalise, forward. Policy is in Swift.
#include "guard.hpp"
#include "cvshim_embedding.h"

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

using pvshim::fail;
using pvshim::guarded;

struct pv_embedder {
    cv::dnn::Net net;
    int side;
    cv::Mat crop;  // reused aligned crop
};

extern "C" {

int pv_embedder_load_onnx(const char *model_path, int input_side, pv_embedder **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (model_path == nullptr) return fail(err, errcap, "no model path");
        if (input_side < 16 || input_side > 1024) return fail(err, errcap, "invalid embedding input size");
        cv::dnn::Net net = cv::dnn::readNetFromONNX(model_path);
        if (net.empty()) return fail(err, errcap, std::string("cannot load ONNX model ") + model_path);
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        *out = new pv_embedder{net, input_side, cv::Mat()};
        return 0;
    });
}

void pv_embedder_free(pv_embedder *embedder) { delete embedder; }

int pv_embedder_embed(pv_embedder *embedder, const pv_image *image, const double *matrix, double mean,
                      double scale, int swap_rb, float *out, int capacity, int *count, char *err,
                      size_t errcap) {
    return guarded(err, errcap, [&] {
        *count = 0;
        if (embedder == nullptr || image == nullptr || image->mat.empty() || matrix == nullptr || out == nullptr)
            return fail(err, errcap, "invalid input");
        for (int i = 0; i < 6; ++i)
            if (!std::isfinite(matrix[i])) return fail(err, errcap, "alignment matrix is not finite");
        if (!std::isfinite(mean) || !std::isfinite(scale)) return fail(err, errcap, "normalisation is not finite");
        cv::Mat affine(2, 3, CV_64F);
        for (int i = 0; i < 6; ++i) affine.at<double>(i / 3, i % 3) = matrix[i];
        const cv::Size size(embedder->side, embedder->side);
        cv::warpAffine(image->mat, embedder->crop, affine, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar());
        cv::Mat blob = cv::dnn::blobFromImage(embedder->crop, scale, size, cv::Scalar::all(mean), swap_rb != 0, false, CV_32F);
        embedder->net.setInput(blob);
        cv::Mat result = embedder->net.forward();
        if (result.type() != CV_32F || result.total() == 0) return fail(err, errcap, "unexpected network output");
        if (!result.isContinuous()) result = result.clone();
        const size_t total = result.total();
        *count = static_cast<int>(total);
        if (total > static_cast<size_t>(capacity)) return fail(err, errcap, "network output larger than expected");
        std::memcpy(out, result.ptr<float>(0), sizeof(float) * total);
        return 0;
    });
}

}
