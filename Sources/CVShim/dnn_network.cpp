// A network on OpenCV's DNN module with named outputs (the OpenCV engine of the inference seam).
#include "guard.hpp"
#include "include/cvshim_inference.h"
#include "tensor.hpp"

#include <opencv2/dnn.hpp>

#include <vector>

using pvshim::fail;
using pvshim::guarded;

struct pv_dnn_network {
    cv::dnn::Net net;
    int channels;
    std::vector<cv::Mat> outputs;  // last outputs, exposed to the caller
};

extern "C" {

int pv_dnn_network_create(const char *model_path, const uint8_t *model_data, size_t model_length, int channels,
                          pv_dnn_network **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (model_path == nullptr) return fail(err, errcap, "no model path");
        if (channels < 1 || channels > 64) return fail(err, errcap, "invalid input channels");
        cv::dnn::Net net = model_data != nullptr && model_length > 0
                               ? cv::dnn::readNetFromONNX(reinterpret_cast<const char *>(model_data), model_length)
                               : cv::dnn::readNetFromONNX(model_path);
        if (net.empty()) return fail(err, errcap, std::string("cannot load ONNX model ") + model_path);
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        *out = new pv_dnn_network{net, channels, {}};
        return 0;
    });
}

void pv_dnn_network_free(pv_dnn_network *network) { delete network; }

int pv_dnn_network_forward(pv_dnn_network *network, const float *blob, int width, int height,
                           const char *const *output_names, int output_count, pv_tensor *outputs, char *err,
                           size_t errcap) {
    return guarded(err, errcap, [&] {
        if (network == nullptr || blob == nullptr || width <= 0 || height <= 0 || output_names == nullptr ||
            outputs == nullptr || output_count <= 0 || output_count > 16)
            return fail(err, errcap, "invalid input");
        int shape[] = {1, network->channels, height, width};
        // setInput copies the blob into the network's own input.
        network->net.setInput(cv::Mat(4, shape, CV_32F, const_cast<float *>(blob)));
        std::vector<cv::String> names(output_names, output_names + output_count);
        network->outputs.clear();
        network->net.forward(network->outputs, names);
        if (int(network->outputs.size()) != output_count) return fail(err, errcap, "network gave too few outputs");
        for (int i = 0; i < output_count; ++i) {
            cv::Mat &mat = network->outputs[size_t(i)];
            if (mat.type() != CV_32F) return fail(err, errcap, std::string("output ") + names[size_t(i)] + " is not float");
            if (!mat.isContinuous()) mat = mat.clone();
            std::vector<int64_t> dims(mat.size.p, mat.size.p + mat.dims);
            if (!pvshim::describe_tensor(mat.ptr<float>(), dims, outputs[i]))
                return fail(err, errcap, std::string("output ") + names[size_t(i)] + " has an unexpected shape");
        }
        return 0;
    });
}

}
