// DNN forward passes. Output decoding (grids, thresholds, NMS) happens in Swift.
#include "guard.hpp"

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

using pvshim::fail;
using pvshim::guarded;

struct pv_net {
    cv::dnn::Net net;
    cv::Mat canvas;  // reused letterbox buffer
    cv::Mat output;  // last output, exposed to the caller
};

extern "C" {

int pv_net_load_onnx(const char *model_path, pv_net **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (model_path == nullptr) return fail(err, errcap, "no model path");
        cv::dnn::Net net = cv::dnn::readNetFromONNX(model_path);
        if (net.empty()) return fail(err, errcap, std::string("cannot load ONNX model ") + model_path);
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        *out = new pv_net{net, cv::Mat(), cv::Mat()};
        return 0;
    });
}

void pv_net_free(pv_net *net) { delete net; }

int pv_net_forward_letterbox(pv_net *net, const pv_image *image, int input_width, int input_height,
                             double pad_value, double *scale, const float **output, int *rows, int *cols,
                             char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *output = nullptr;
        *rows = 0;
        *cols = 0;
        if (net == nullptr || image == nullptr || image->mat.empty() || input_width <= 0 || input_height <= 0)
            return fail(err, errcap, "invalid input");
        const cv::Mat &frame = image->mat;
        double r = std::min(double(input_width) / frame.cols, double(input_height) / frame.rows);
        int w = std::max(1, int(frame.cols * r)), h = std::max(1, int(frame.rows * r));
        net->canvas.create(input_height, input_width, CV_8UC3);
        net->canvas.setTo(cv::Scalar::all(pad_value));
        cv::Mat roi = net->canvas(cv::Rect(0, 0, w, h));
        cv::resize(frame, roi, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
        cv::Mat blob = cv::dnn::blobFromImage(net->canvas, 1.0, cv::Size(), cv::Scalar(), false, false, CV_32F);
        net->net.setInput(blob);
        cv::Mat result = net->net.forward();
        // Flatten N x R x C (or R x C) to a 2-D R x C float matrix.
        if (result.dims < 2 || result.type() != CV_32F) return fail(err, errcap, "unexpected network output");
        int c = result.size[result.dims - 1];
        int total = static_cast<int>(result.total());
        if (c <= 0 || total % c != 0) return fail(err, errcap, "unexpected network output shape");
        net->output = result.reshape(1, total / c);
        if (!net->output.isContinuous()) net->output = net->output.clone();
        *scale = r;
        *output = net->output.ptr<float>(0);
        *rows = net->output.rows;
        *cols = net->output.cols;
        return 0;
    });
}

}
