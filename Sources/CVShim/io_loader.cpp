// Loads libProctorCVIO.so, the part of the shim linked against OpenCV's imgcodecs and videoio, so
// that processes which only decode JPEG (TurboJPEG) never map those libraries and their dependency
// trees. Where to look, and when, is decided in Swift (ProctorVision/IOLibrary.swift): this file only
// opens the paths it is given and binds the entry points.
#include "guard.hpp"
#include "io_loader.hpp"

#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <type_traits>

using pvshim::fail;
using pvshim::guarded;

namespace pvshim {
namespace {

std::mutex load_lock;
/// Published once, after every entry point is bound; never freed (images and videos point into it).
std::atomic<const IOLibrary *> loaded{nullptr};

std::string last_dl_error(const std::string &fallback) {
    const char *message = dlerror();
    return message != nullptr ? std::string(message) : fallback;
}

/// Resolves every entry point; on failure returns why.
std::string resolve(void *handle, const std::string &path, IOLibrary &library) {
    auto version = reinterpret_cast<decltype(&pvio_abi_version)>(dlsym(handle, "pvio_abi_version"));
    if (version == nullptr) return path + ": not a ProctorCVIO library (no pvio_abi_version)";
    if (version() != PVIO_ABI_VERSION)
        return path + ": built for another proctor version (interface " + std::to_string(version()) +
               ", need " + std::to_string(PVIO_ABI_VERSION) + "); rebuild it with the binary";
    std::string missing;
    auto bind = [&](auto &slot, const char *name) {
        slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(handle, name));
        if (slot == nullptr && missing.empty()) missing = path + ": missing " + name;
    };
    bind(library.image_decode, "pvio_image_decode");
    bind(library.video_open, "pvio_video_open");
    bind(library.video_free, "pvio_video_free");
    bind(library.video_read, "pvio_video_read");
    bind(library.video_fps, "pvio_video_fps");
    return missing;
}

}  // namespace

const IOLibrary *io_library() { return loaded.load(std::memory_order_acquire); }

}  // namespace pvshim

extern "C" {

const char *pv_io_library_name(void) { return PVIO_LIBRARY_NAME; }

int pv_shim_directory(char *out, size_t capacity, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        if (out == nullptr || capacity == 0) return fail(err, errcap, "invalid buffer");
        out[0] = '\0';
        Dl_info info{};
        if (dladdr(reinterpret_cast<void *>(&pv_shim_directory), &info) == 0 || info.dli_fname == nullptr)
            return fail(err, errcap, "the shim's code object is unknown");
        char resolved[PATH_MAX];
        if (realpath(info.dli_fname, resolved) == nullptr) return fail(err, errcap, "the shim's code object has no path");
        std::string path(resolved);
        auto slash = path.rfind('/');
        std::string directory = slash == std::string::npos ? std::string() : path.substr(0, slash);
        if (directory.size() + 1 > capacity) return fail(err, errcap, "path too long");
        std::snprintf(out, capacity, "%s", directory.c_str());
        return 0;
    });
}

int pv_io_load(const char *const *paths, int count, char *err, size_t errcap) {
    return guarded(err, errcap, [&] {
        std::lock_guard<std::mutex> guard(pvshim::load_lock);
        if (pvshim::io_library() != nullptr) return 0;
        std::string first_error;     // typically "no such file" for the first directory
        std::string existing_error;  // from a file that exists: says more (missing OpenCV libs, bad ABI)
        for (int index = 0; index < count; index++) {
            if (paths == nullptr || paths[index] == nullptr || paths[index][0] == '\0') continue;
            std::string path(paths[index]);
            // RTLD_LOCAL: the library's symbols (and OpenCV's codec plugins) stay out of the global scope.
            void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
            std::string error;
            if (handle == nullptr) {
                error = pvshim::last_dl_error(path + ": cannot be loaded");
            } else {
                auto *library = new pvshim::IOLibrary();
                error = pvshim::resolve(handle, path, *library);
                if (error.empty()) {
                    pvshim::loaded.store(library, std::memory_order_release);
                    return 0;
                }
                delete library;
                dlclose(handle);
            }
            if (first_error.empty()) first_error = error;
            if (existing_error.empty() && access(path.c_str(), F_OK) == 0) existing_error = error;
        }
        return fail(err, errcap,
                    !existing_error.empty() ? existing_error
                    : !first_error.empty()  ? first_error
                                            : std::string(PVIO_LIBRARY_NAME " not found"));
    });
}

int pv_io_loaded(void) { return pvshim::io_library() != nullptr ? 1 : 0; }

}
