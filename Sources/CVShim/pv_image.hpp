// Internal: the definition behind the public `pv_image` handle.
//
// Shared by CVShim and CVShimIO (libProctorCVIO.so): an image decoded in the IO library is freed by
// CVShim's pv_image_free. That is safe because both link the same libopencv_core (which owns the
// pixel buffer) and the same libstdc++ (which owns the struct's memory).
#pragma once

#include <opencv2/core.hpp>

#include "cvshim.h"

struct pv_image {
    cv::Mat mat;  // always CV_8UC3, BGR
};
