// A thin C layer between Swift and V4L2 (through libv4l2).
//
// Swift cannot call variadic C functions (`v4l2_open`, `v4l2_ioctl`) nor see the ioctl request
// macros, so this header exports non-variadic wrappers and the request numbers as constants.
// Every call goes through a backend table that defaults to libv4l2 and poll(2); tests install a fake
// device instead. Policy (format choice, timeouts, reconnects) lives in Swift.
#ifndef PROCTOR_CV4L2_H
#define PROCTOR_CV4L2_H

#include <linux/videodev2.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The system calls the capture code makes, each with the plain (non-variadic) POSIX contract:
/// -1 (or MAP_FAILED for `mmap`) and `errno` on failure.
struct cv4l2_backend {
    int (*open)(const char *path, int flags);
    int (*close)(int fd);
    int (*ioctl)(int fd, unsigned long request, void *arg);
    void *(*mmap)(size_t length, int prot, int flags, int fd, int64_t offset);
    int (*munmap)(void *address, size_t length);
    int (*poll)(struct pollfd *fds, nfds_t count, int timeout_ms);
};

/// Routes every later call through `backend` (copied); NULL restores libv4l2.
/// Call it while no capture runs: a call in flight may still use the previous table.
void cv4l2_set_backend(const struct cv4l2_backend *backend);

/// Opens a device node; retries on EINTR. Returns the descriptor or -1 with errno set.
int cv4l2_open(const char *path, int flags);
/// Closes a descriptor (never retried: on Linux the descriptor is gone even after EINTR).
int cv4l2_close(int fd);
/// Issues one ioctl; retries on EINTR. Returns the ioctl's result or -1 with errno set.
int cv4l2_ioctl(int fd, unsigned long request, void *arg);
/// Maps a driver buffer for reading and writing, shared. Returns NULL (not MAP_FAILED) on failure.
void *cv4l2_mmap(int fd, size_t length, int64_t offset);
int cv4l2_munmap(void *address, size_t length);
/// Waits up to `timeout_ms` for `fd` to become readable; retries on EINTR with the same timeout.
/// Returns the `revents` bits (> 0), 0 on timeout, or -1 with errno set.
int cv4l2_poll(int fd, int timeout_ms);

// Request numbers (the _IOWR macros expand to expressions Swift cannot import).
extern const unsigned long CV4L2_VIDIOC_QUERYCAP;
extern const unsigned long CV4L2_VIDIOC_ENUM_FMT;
extern const unsigned long CV4L2_VIDIOC_G_FMT;
extern const unsigned long CV4L2_VIDIOC_S_FMT;
extern const unsigned long CV4L2_VIDIOC_G_PARM;
extern const unsigned long CV4L2_VIDIOC_S_PARM;
extern const unsigned long CV4L2_VIDIOC_REQBUFS;
extern const unsigned long CV4L2_VIDIOC_QUERYBUF;
extern const unsigned long CV4L2_VIDIOC_QBUF;
extern const unsigned long CV4L2_VIDIOC_DQBUF;
extern const unsigned long CV4L2_VIDIOC_STREAMON;
extern const unsigned long CV4L2_VIDIOC_STREAMOFF;

// Pixel formats (v4l2_fourcc is a macro with arguments).
extern const uint32_t CV4L2_PIX_FMT_MJPEG;
extern const uint32_t CV4L2_PIX_FMT_JPEG;
extern const uint32_t CV4L2_PIX_FMT_YUYV;

#ifdef __cplusplus
}
#endif

#endif
