// The OpenVINO engine of the inference seam: the runtime's C API, loaded with dlopen so that the
// proctor binary runs (on OpenCV) where the runtime is absent. Built against the C headers that
// scripts/setup unpacks into .openvino/include; without them this file compiles to stubs that say so.
#include "guard.hpp"
#include "include/cvshim_inference.h"
#include "tensor.hpp"

#include <dlfcn.h>
#include <malloc.h>

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

using pvshim::fail;
using pvshim::guarded;

#if __has_include(<openvino/c/openvino.h>)
#include <openvino/c/openvino.h>

namespace {

/// The entry points proctor uses. The variadic ones (compile) are called from here, never from Swift.
struct Runtime {
    decltype(&ov_core_create) core_create = nullptr;
    decltype(&ov_core_free) core_free = nullptr;
    decltype(&ov_core_read_model) read_model = nullptr;
    decltype(&ov_core_read_model_from_memory_buffer) read_model_from_memory = nullptr;
    decltype(&ov_core_compile_model) compile_model = nullptr;
    decltype(&ov_model_free) model_free = nullptr;
    decltype(&ov_model_reshape_single_input) reshape = nullptr;
    decltype(&ov_compiled_model_create_infer_request) create_request = nullptr;
    decltype(&ov_compiled_model_free) compiled_free = nullptr;
    decltype(&ov_infer_request_set_input_tensor) set_input = nullptr;
    decltype(&ov_infer_request_infer) infer = nullptr;
    decltype(&ov_infer_request_get_tensor) get_tensor = nullptr;
    decltype(&ov_infer_request_free) request_free = nullptr;
    decltype(&ov_tensor_create_from_host_ptr) tensor_from_host = nullptr;
    decltype(&ov_tensor_get_shape) tensor_shape = nullptr;
    decltype(&ov_tensor_data) tensor_data = nullptr;
    decltype(&ov_tensor_free) tensor_free = nullptr;
    decltype(&ov_shape_create) shape_create = nullptr;
    decltype(&ov_shape_free) shape_free = nullptr;
    decltype(&ov_partial_shape_create_static) partial_shape_create = nullptr;
    decltype(&ov_partial_shape_free) partial_shape_free = nullptr;
    decltype(&ov_partial_shape_create) partial_shape_create_dynamic = nullptr;
    decltype(&ov_get_error_info) error_info = nullptr;
    decltype(&ov_get_last_err_msg) last_error = nullptr;  // optional (newer runtimes)
    decltype(&ov_get_openvino_version) get_version = nullptr;
    decltype(&ov_version_free) version_free = nullptr;
    ov_core_t *core = nullptr;
    std::string version;
    std::string folder;  // where the runtime's libraries are (their mappings are paged out after compiling)
};

std::mutex runtime_mutex;
Runtime *runtime = nullptr;  // set once, never freed (networks and the core point into the library)

std::string status_text(const Runtime &rt, ov_status_e status) {
    std::string text = rt.error_info != nullptr ? rt.error_info(status) : "error";
    if (rt.last_error != nullptr) {
        const char *detail = rt.last_error();
        if (detail != nullptr && detail[0] != '\0') text += ": " + std::string(detail);
    }
    return "OpenVINO: " + text;
}

std::string load_runtime(const char *path, Runtime &rt) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char *message = dlerror();
        return message != nullptr ? std::string(message) : std::string(path) + ": cannot be loaded";
    }
    std::string missing;
    auto bind = [&](auto &slot, const char *name, bool required = true) {
        slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(handle, name));
        if (slot == nullptr && required && missing.empty()) missing = std::string(path) + ": missing " + name;
    };
    bind(rt.core_create, "ov_core_create");
    bind(rt.core_free, "ov_core_free");
    bind(rt.read_model, "ov_core_read_model");
    bind(rt.read_model_from_memory, "ov_core_read_model_from_memory_buffer");
    bind(rt.compile_model, "ov_core_compile_model");
    bind(rt.model_free, "ov_model_free");
    bind(rt.reshape, "ov_model_reshape_single_input");
    bind(rt.create_request, "ov_compiled_model_create_infer_request");
    bind(rt.compiled_free, "ov_compiled_model_free");
    bind(rt.set_input, "ov_infer_request_set_input_tensor");
    bind(rt.infer, "ov_infer_request_infer");
    bind(rt.get_tensor, "ov_infer_request_get_tensor");
    bind(rt.request_free, "ov_infer_request_free");
    bind(rt.tensor_from_host, "ov_tensor_create_from_host_ptr");
    bind(rt.tensor_shape, "ov_tensor_get_shape");
    bind(rt.tensor_data, "ov_tensor_data");
    bind(rt.tensor_free, "ov_tensor_free");
    bind(rt.shape_create, "ov_shape_create");
    bind(rt.shape_free, "ov_shape_free");
    bind(rt.partial_shape_create, "ov_partial_shape_create_static");
    bind(rt.partial_shape_free, "ov_partial_shape_free");
    bind(rt.partial_shape_create_dynamic, "ov_partial_shape_create");
    bind(rt.error_info, "ov_get_error_info");
    bind(rt.last_error, "ov_get_last_err_msg", false);
    bind(rt.get_version, "ov_get_openvino_version");
    bind(rt.version_free, "ov_version_free");
    if (!missing.empty()) {
        dlclose(handle);
        return missing;
    }
    ov_version_t version{};
    if (rt.get_version(&version) == OK) {
        rt.version = version.buildNumber != nullptr ? version.buildNumber : "";
        rt.version_free(&version);
    }
    ov_status_e status = rt.core_create(&rt.core);
    if (status != OK || rt.core == nullptr) {
        std::string message = status_text(rt, status);
        // The library stays mapped: its static state may be referenced by threads it started.
        return "cannot create the OpenVINO core: " + message;
    }
    return "";
}

}  // namespace

struct pv_ov_network {
    struct Compiled {
        int width;
        int height;
        ov_compiled_model_t *model;
        ov_infer_request_t *request;
    };
    std::string model_path;  // read again for each compilation: the read model is not kept (memory)
    std::string model_data;  // the model's ONNX bytes when given in memory (read from here instead)
    int channels = 3;
    int threads = 1;
    size_t max_shapes = 4;
    bool dynamic = false;  // one compiled model for every input size
    std::list<Compiled> compiled;                // most recently used first
    std::vector<ov_tensor_t *> output_tensors;  // released before the next forward

    void release_outputs() {
        for (ov_tensor_t *tensor : output_tensors) runtime->tensor_free(tensor);
        output_tensors.clear();
    }

    ~pv_ov_network() {
        release_outputs();
        for (Compiled &entry : compiled) {
            runtime->request_free(entry.request);
            runtime->compiled_free(entry.model);
        }
    }
};

namespace {

/// Compiling runs tens of MB of the runtime's code (graph transformations, the ONNX frontend, kernel
/// generation) that inference never runs again, and those pages stay resident. Asks the kernel to
/// reclaim the runtime libraries' read-only mappings now (MADV_PAGEOUT: clean file pages, unmapped from
/// this process; the ones inference needs fault back in from the page cache on the next frame). Never
/// touches writable mappings (their contents could differ from the file).
void page_out_runtime_code(const std::string &folder) {
#ifdef MADV_PAGEOUT
    if (folder.empty()) return;
    FILE *maps = fopen("/proc/self/maps", "re");
    if (maps == nullptr) return;
    char line[4096];
    while (fgets(line, sizeof line, maps) != nullptr) {
        unsigned long start = 0, end = 0;
        char perms[5] = {0};
        int path_at = 0;
        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3 || path_at <= 0) continue;
        if (perms[1] == 'w' || std::strncmp(line + path_at, folder.c_str(), folder.size()) != 0) continue;
        madvise(reinterpret_cast<void *>(start), end - start, MADV_PAGEOUT);  // a hint: failure changes nothing
    }
    fclose(maps);
#else
    (void)folder;
#endif
}

/// Reads the network's model from its bytes in memory, else from its file.
ov_status_e read(const pv_ov_network &network, ov_model_t **model) {
    if (network.model_data.empty()) return runtime->read_model(runtime->core, network.model_path.c_str(), nullptr, model);
    return runtime->read_model_from_memory(runtime->core, network.model_data.data(), network.model_data.size(), nullptr, model);
}

/// The compiled model and request for this input size, compiling (and evicting the oldest) if needed.
std::string compiled_for(pv_ov_network &network, int width, int height, pv_ov_network::Compiled *&found) {
    const Runtime &rt = *runtime;
    for (auto it = network.compiled.begin(); it != network.compiled.end(); ++it) {
        if (network.dynamic || (it->width == width && it->height == height)) {
            network.compiled.splice(network.compiled.begin(), network.compiled, it);
            found = &network.compiled.front();
            return "";
        }
    }
    // The read model (graph plus weights, 10-20 MB) is only needed to compile: read, compile, free.
    ov_model_t *model = nullptr;
    ov_status_e status = read(network, &model);
    if (status != OK || model == nullptr) return "cannot read model " + network.model_path + ": " + status_text(rt, status);
    std::unique_ptr<ov_model_t, decltype(rt.model_free)> owned(model, rt.model_free);
    int64_t dims[] = {1, network.channels, height, width};
    ov_partial_shape_t shape{};
    if (network.dynamic) {
        ov_dimension_t any[] = {{1, 1}, {network.channels, network.channels}, {-1, -1}, {-1, -1}};
        status = rt.partial_shape_create_dynamic(4, any, &shape);
    } else {
        status = rt.partial_shape_create(4, dims, &shape);
    }
    if (status != OK) return status_text(rt, status);
    status = rt.reshape(model, shape);
    rt.partial_shape_free(&shape);
    if (status != OK) return "cannot reshape the model to " + std::to_string(width) + "x" + std::to_string(height) + ": " + status_text(rt, status);
    std::string threads = std::to_string(network.threads);
    ov_compiled_model_t *compiled = nullptr;
    // One stream, `threads` threads, full f32 precision (no bf16 on CPUs that have it: same results as
    // OpenCV), no pinning (several jobs' networks in one process must not share a pinned core).
    status = rt.compile_model(runtime->core, model, "CPU", 10, &compiled, "INFERENCE_NUM_THREADS", threads.c_str(),
                              "NUM_STREAMS", "1", "PERFORMANCE_HINT", "LATENCY", "INFERENCE_PRECISION_HINT", "f32",
                              "ENABLE_CPU_PINNING", "NO");
    if (status != OK || compiled == nullptr) return "cannot compile the model: " + status_text(rt, status);
    ov_infer_request_t *request = nullptr;
    status = rt.create_request(compiled, &request);
    if (status != OK || request == nullptr) {
        rt.compiled_free(compiled);
        return "cannot create an inference request: " + status_text(rt, status);
    }
    while (network.compiled.size() >= network.max_shapes) {
        network.release_outputs();
        rt.request_free(network.compiled.back().request);
        rt.compiled_free(network.compiled.back().model);
        network.compiled.pop_back();
    }
    network.compiled.push_front({width, height, compiled, request});
    found = &network.compiled.front();
    owned.reset();
    // Compiling leaves tens of MB of freed heap behind; hand it back (compilations are rare).
    malloc_trim(0);
    page_out_runtime_code(runtime->folder);
    return "";
}

}  // namespace

extern "C" {

int pv_openvino_load(const char *library_path, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        std::lock_guard<std::mutex> lock(runtime_mutex);
        if (runtime != nullptr) return 0;
        if (library_path == nullptr || library_path[0] == '\0') return fail(err, errcap, "no library path");
        // A fixed mmap threshold (glibc's initial 128 KiB, which it otherwise raises after the first large
        // free): the large buffers of compiling and of the networks are mapped and unmapped on their own
        // instead of staying behind as free heap (about 5 MB less resident in the monitor).
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        auto *candidate = new Runtime();
        std::string error = load_runtime(library_path, *candidate);
        if (!error.empty()) {
            delete candidate;
            return fail(err, errcap, error);
        }
        // /proc/self/maps names files by their real path.
        char *real = realpath(library_path, nullptr);
        std::string path = real != nullptr ? real : library_path;
        free(real);
        size_t slash = path.rfind('/');
        // The folder with its slash, so that /x/lib does not also match /x/lib2.
        candidate->folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
        runtime = candidate;
        return 0;
    });
}

int pv_openvino_loaded(void) {
    std::lock_guard<std::mutex> lock(runtime_mutex);
    return runtime != nullptr ? 1 : 0;
}

const char *pv_openvino_version(void) {
    std::lock_guard<std::mutex> lock(runtime_mutex);
    return runtime != nullptr ? runtime->version.c_str() : "";
}

int pv_ov_network_create(const char *model_path, const uint8_t *model_data, size_t model_length, int channels,
                         int threads, int max_shapes, pv_ov_network **out, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        *out = nullptr;
        if (!pv_openvino_loaded()) return fail(err, errcap, "the OpenVINO runtime is not loaded");
        if (model_path == nullptr) return fail(err, errcap, "no model path");
        if (channels < 1 || channels > 64) return fail(err, errcap, "invalid input channels");
        auto network = std::make_unique<pv_ov_network>();
        network->channels = channels;
        if (model_data != nullptr && model_length > 0)
            network->model_data.assign(reinterpret_cast<const char *>(model_data), model_length);
        network->threads = std::max(1, std::min(threads, 64));
        network->dynamic = max_shapes == 0;
        network->max_shapes = size_t(std::max(1, std::min(max_shapes, 64)));
        network->model_path = model_path;
        // Read once now so that a bad file fails here, not on the first frame.
        ov_model_t *model = nullptr;
        ov_status_e status = read(*network, &model);
        if (status != OK || model == nullptr)
            return fail(err, errcap, std::string("cannot read model ") + model_path + ": " + status_text(*runtime, status));
        runtime->model_free(model);
        *out = network.release();
        return 0;
    });
}

void pv_ov_network_free(pv_ov_network *network) {
    try {
        delete network;
    } catch (...) {
    }
}

int pv_ov_network_prepare(pv_ov_network *network, int width, int height, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (network == nullptr || width <= 0 || height <= 0) return fail(err, errcap, "invalid input");
        // Compiling may evict an older size, whose outputs must not be left pointing into it.
        network->release_outputs();
        pv_ov_network::Compiled *compiled = nullptr;
        std::string error = compiled_for(*network, width, height, compiled);
        return error.empty() ? 0 : fail(err, errcap, error);
    });
}

int pv_ov_network_forward(pv_ov_network *network, const float *blob, int width, int height,
                          const char *const *output_names, int output_count, pv_tensor *outputs, char *err,
                          size_t errcap) {
    return guarded(err, errcap, [&] {
        if (network == nullptr || blob == nullptr || width <= 0 || height <= 0 || output_names == nullptr ||
            outputs == nullptr || output_count <= 0 || output_count > 16)
            return fail(err, errcap, "invalid input");
        const Runtime &rt = *runtime;
        network->release_outputs();
        pv_ov_network::Compiled *compiled = nullptr;
        std::string error = compiled_for(*network, width, height, compiled);
        if (!error.empty()) return fail(err, errcap, error);
        int64_t dims[] = {1, network->channels, height, width};
        ov_shape_t shape{};
        ov_status_e status = rt.shape_create(4, dims, &shape);
        if (status != OK) return fail(err, errcap, status_text(rt, status));
        ov_tensor_t *input = nullptr;
        // The tensor wraps the caller's blob: no copy; the request reads it during infer only.
        status = rt.tensor_from_host(F32, shape, const_cast<float *>(blob), &input);
        rt.shape_free(&shape);
        if (status != OK) return fail(err, errcap, status_text(rt, status));
        status = rt.set_input(compiled->request, input);
        if (status == OK) status = rt.infer(compiled->request);
        rt.tensor_free(input);
        if (status != OK) return fail(err, errcap, "inference failed: " + status_text(rt, status));
        for (int i = 0; i < output_count; ++i) {
            ov_tensor_t *tensor = nullptr;
            status = rt.get_tensor(compiled->request, output_names[i], &tensor);
            if (status != OK || tensor == nullptr)
                return fail(err, errcap, std::string("no output ") + output_names[i] + ": " + status_text(rt, status));
            network->output_tensors.push_back(tensor);
            ov_shape_t out_shape{};
            void *data = nullptr;
            status = rt.tensor_shape(tensor, &out_shape);
            if (status != OK) return fail(err, errcap, status_text(rt, status));
            std::vector<int64_t> out_dims(out_shape.dims, out_shape.dims + out_shape.rank);
            rt.shape_free(&out_shape);
            status = rt.tensor_data(tensor, &data);
            if (status != OK) return fail(err, errcap, status_text(rt, status));
            if (!pvshim::describe_tensor(static_cast<const float *>(data), out_dims, outputs[i]))
                return fail(err, errcap, std::string("output ") + output_names[i] + " has an unexpected shape");
        }
        return 0;
    });
}

}

#else  // no OpenVINO headers at build time

namespace {
const char *const missing_headers =
    "this proctor was built without the OpenVINO C headers (run scripts/setup, then rebuild)";
}

extern "C" {
int pv_openvino_load(const char *, char *err, size_t errcap) { return fail(err, errcap, missing_headers); }
int pv_openvino_loaded(void) { return 0; }
const char *pv_openvino_version(void) { return ""; }
int pv_ov_network_create(const char *, const uint8_t *, size_t, int, int, int, pv_ov_network **out, char *err,
                         size_t errcap) {
    *out = nullptr;
    return fail(err, errcap, missing_headers);
}
void pv_ov_network_free(pv_ov_network *) {}
int pv_ov_network_prepare(pv_ov_network *, int, int, char *err, size_t errcap) { return fail(err, errcap, missing_headers); }
int pv_ov_network_forward(pv_ov_network *, const float *, int, int, const char *const *, int, pv_tensor *, char *err,
                          size_t errcap) {
    return fail(err, errcap, missing_headers);
}
}

#endif
