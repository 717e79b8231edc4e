// Finds and dlopens libProctorCVIO.so, the part of the shim linked against OpenCV's imgcodecs and
// videoio, so that processes which only decode JPEG (TurboJPEG) never map those libraries and their
// dependency trees.
#include "io_loader.hpp"

#include <dlfcn.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <type_traits>
#include <vector>

namespace pvshim {
namespace {

std::string directory_of(const std::string &path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string real_path(const char *path) {
    char resolved[PATH_MAX];
    return realpath(path, resolved) != nullptr ? std::string(resolved) : std::string();
}

/// Where the library may be, in order: next to the executable (SwiftPM builds executables, test
/// bundles and the dynamic library into the same .build/<config> directory; an install copies them
/// together), next to the code of this shim when it lives in a shared object of its own, then
/// $PROCTOR_CVIO_PATH (the library's path, or a directory holding it).
std::vector<std::string> candidate_paths() {
    std::vector<std::string> paths;
    auto add = [&paths](const std::string &path) {
        if (!path.empty() && std::find(paths.begin(), paths.end(), path) == paths.end()) paths.push_back(path);
    };
    auto add_directory = [&add](const std::string &directory) {
        if (!directory.empty()) add(directory + "/" PVIO_LIBRARY_NAME);
    };
    char exe[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (length > 0) add_directory(directory_of(std::string(exe, static_cast<size_t>(length))));
    Dl_info info{};
    if (dladdr(reinterpret_cast<void *>(&io_library), &info) != 0 && info.dli_fname != nullptr)
        add_directory(directory_of(real_path(info.dli_fname)));
    if (const char *configured = std::getenv("PROCTOR_CVIO_PATH"); configured != nullptr && configured[0] != '\0') {
        struct stat status{};
        if (stat(configured, &status) == 0 && S_ISDIR(status.st_mode)) add_directory(configured);
        else add(configured);
    }
    return paths;
}

std::string last_dl_error(const std::string &fallback) {
    const char *message = dlerror();
    return message != nullptr ? std::string(message) : fallback;
}

/// Resolves every entry point; on failure returns why and leaves `library` partly filled (unused).
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

IOLibrary load() {
    IOLibrary library;
    std::string first_error;     // typically "no such file" for the executable's directory
    std::string existing_error;  // from a file that exists: says more (missing OpenCV libs, bad ABI)
    for (const std::string &path : candidate_paths()) {
        // RTLD_LOCAL: the library's symbols (and OpenCV's codec plugins) stay out of the global scope.
        void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        std::string error;
        if (handle == nullptr) {
            error = last_dl_error(path + ": cannot be loaded");
        } else {
            error = resolve(handle, path, library);
            if (error.empty()) return library;  // never closed: images and videos point into it
            dlclose(handle);
            library = IOLibrary();
        }
        if (first_error.empty()) first_error = error;
        if (existing_error.empty() && access(path.c_str(), F_OK) == 0) existing_error = error;
    }
    library.error = !existing_error.empty() ? existing_error
                    : !first_error.empty()  ? first_error
                                            : std::string(PVIO_LIBRARY_NAME " not found");
    return library;
}

}  // namespace

const IOLibrary &io_library() {
    // A function-local static is initialised exactly once even when threads race to the first call.
    static const IOLibrary library = load();
    return library;
}

std::string io_missing_message(const char *what) {
    return std::string(what) + " needs " PVIO_LIBRARY_NAME " next to the proctor binary: " + io_library().error;
}

}  // namespace pvshim
