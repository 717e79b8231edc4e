// Internal: fills a pv_tensor from a data pointer and dimensions.
#pragma once

#include "include/cvshim_inference.h"

#include <vector>

namespace pvshim {

inline bool describe_tensor(const float *data, const std::vector<int64_t> &dims, pv_tensor &tensor) {
    if (data == nullptr || dims.empty() || dims.size() > PV_TENSOR_MAX_RANK) return false;
    tensor.data = data;
    tensor.rank = int(dims.size());
    size_t count = 1;
    for (size_t i = 0; i < dims.size(); ++i) {
        if (dims[i] < 0) return false;
        tensor.dims[i] = dims[i];
        count *= size_t(dims[i]);
    }
    tensor.count = count;
    return true;
}

}  // namespace pvshim
