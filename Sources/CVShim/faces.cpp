// Face detectors: YuNet (cv::FaceDetectorYN) and the Haar cascade fallback.
#include "guard.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <vector>

using pvshim::fail;
using pvshim::guarded;

struct pv_yunet {
    cv::Ptr<cv::FaceDetectorYN> detector;
    cv::Size input_size;
};

struct pv_cascade {
    cv::CascadeClassifier classifier;
};

extern "C" {

int pv_yunet_create(const char *model_path, float score_threshold, float nms_threshold, int top_k,
                    pv_yunet **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (model_path == nullptr) return fail(err, errcap, "no model path");
        auto detector = cv::FaceDetectorYN::create(model_path, "", cv::Size(320, 320), score_threshold,
                                                   nms_threshold, top_k);
        if (detector.empty()) return fail(err, errcap, std::string("cannot load YuNet model ") + model_path);
        *out = new pv_yunet{detector, cv::Size(320, 320)};
        return 0;
    });
}

void pv_yunet_free(pv_yunet *detector) { delete detector; }

int pv_yunet_detect(pv_yunet *detector, const pv_image *image, float *rows, int capacity, int *count,
                    char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *count = 0;
        if (detector == nullptr || image == nullptr || image->mat.empty()) return fail(err, errcap, "invalid input");
        const cv::Mat &frame = image->mat;
        if (frame.cols < 16 || frame.rows < 16) return fail(err, errcap, "image too small for YuNet (scale it up first)");
        if (frame.size() != detector->input_size) {
            detector->detector->setInputSize(frame.size());
            detector->input_size = frame.size();
        }
        cv::Mat faces;
        detector->detector->detect(frame, faces);
        if (faces.empty()) return 0;
        if (faces.type() != CV_32F || faces.cols < PV_FACE_ROW_FLOATS)
            return fail(err, errcap, "unexpected YuNet output layout");
        *count = faces.rows;
        int n = std::min(faces.rows, capacity);
        for (int i = 0; i < n; ++i) {
            std::memcpy(rows + static_cast<size_t>(i) * PV_FACE_ROW_FLOATS, faces.ptr<float>(i),
                        sizeof(float) * PV_FACE_ROW_FLOATS);
        }
        return 0;
    });
}

int pv_cascade_create(const char *path, pv_cascade **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        auto *cascade = new pv_cascade();
        if (path == nullptr || !cascade->classifier.load(path)) {
            delete cascade;
            return fail(err, errcap, std::string("cannot load cascade ") + (path ? path : "(null)"));
        }
        *out = cascade;
        return 0;
    });
}

void pv_cascade_free(pv_cascade *cascade) { delete cascade; }

int pv_cascade_detect(pv_cascade *cascade, const pv_image *image, double scale_factor, int min_neighbors,
                      int min_size, float *boxes, int capacity, int *count, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *count = 0;
        if (cascade == nullptr || image == nullptr || image->mat.empty()) return fail(err, errcap, "invalid input");
        cv::Mat gray;
        cv::cvtColor(image->mat, gray, cv::COLOR_BGR2GRAY);
        cv::equalizeHist(gray, gray);
        std::vector<cv::Rect> found;
        std::vector<int> reject_levels;
        std::vector<double> level_weights;
        cascade->classifier.detectMultiScale(gray, found, reject_levels, level_weights, scale_factor, min_neighbors,
                                             0, cv::Size(min_size, min_size), cv::Size(), true);
        *count = static_cast<int>(found.size());
        int n = std::min(*count, capacity);
        for (int i = 0; i < n; ++i) {
            float *row = boxes + static_cast<size_t>(i) * 5;
            row[0] = float(found[i].x);
            row[1] = float(found[i].y);
            row[2] = float(found[i].width);
            row[3] = float(found[i].height);
            // The raw level weight (an unbounded margin); what it means is Swift's call.
            row[4] = i < int(level_weights.size()) ? float(level_weights[i]) : 0.0f;
        }
        return 0;
    });
}

}
