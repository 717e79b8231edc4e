// Non-variadic wrappers over libv4l2 behind a replaceable backend table.
#include "cv4l2.h"

#include <errno.h>
#include <libv4l2.h>
#include <stdatomic.h>
#include <sys/mman.h>

static int system_open(const char *path, int flags) { return v4l2_open(path, flags); }
static int system_close(int fd) { return v4l2_close(fd); }
static int system_ioctl(int fd, unsigned long request, void *arg) { return v4l2_ioctl(fd, request, arg); }
static void *system_mmap(size_t length, int prot, int flags, int fd, int64_t offset) {
    return v4l2_mmap(NULL, length, prot, flags, fd, offset);
}
static int system_munmap(void *address, size_t length) { return v4l2_munmap(address, length); }
static int system_poll(struct pollfd *fds, nfds_t count, int timeout_ms) { return poll(fds, count, timeout_ms); }

static const struct cv4l2_backend system_backend = {
    system_open, system_close, system_ioctl, system_mmap, system_munmap, system_poll,
};

// Replaced wholesale so a reader never sees half of one table and half of another.
static struct cv4l2_backend installed;
static _Atomic(const struct cv4l2_backend *) current = &system_backend;

void cv4l2_set_backend(const struct cv4l2_backend *backend) {
    if (backend == NULL) {
        atomic_store(&current, &system_backend);
        return;
    }
    installed = *backend;
    atomic_store(&current, &installed);
}

static const struct cv4l2_backend *be(void) { return atomic_load(&current); }

int cv4l2_open(const char *path, int flags) {
    int fd;
    do fd = be()->open(path, flags);
    while (fd < 0 && errno == EINTR);
    return fd;
}

int cv4l2_close(int fd) { return be()->close(fd); }

int cv4l2_ioctl(int fd, unsigned long request, void *arg) {
    int result;
    do result = be()->ioctl(fd, request, arg);
    while (result < 0 && errno == EINTR);
    return result;
}

void *cv4l2_mmap(int fd, size_t length, int64_t offset) {
    void *address = be()->mmap(length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
    return address == MAP_FAILED ? NULL : address;
}

int cv4l2_munmap(void *address, size_t length) { return be()->munmap(address, length); }

int cv4l2_poll(int fd, int timeout_ms) {
    struct pollfd entry = {.fd = fd, .events = POLLIN | POLLPRI};
    int result;
    do result = be()->poll(&entry, 1, timeout_ms);
    while (result < 0 && errno == EINTR);
    return result > 0 ? (entry.revents != 0 ? entry.revents : POLLIN) : result;
}

const unsigned long CV4L2_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
const unsigned long CV4L2_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
const unsigned long CV4L2_VIDIOC_G_FMT = VIDIOC_G_FMT;
const unsigned long CV4L2_VIDIOC_S_FMT = VIDIOC_S_FMT;
const unsigned long CV4L2_VIDIOC_G_PARM = VIDIOC_G_PARM;
const unsigned long CV4L2_VIDIOC_S_PARM = VIDIOC_S_PARM;
const unsigned long CV4L2_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
const unsigned long CV4L2_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
const unsigned long CV4L2_VIDIOC_QBUF = VIDIOC_QBUF;
const unsigned long CV4L2_VIDIOC_DQBUF = VIDIOC_DQBUF;
const unsigned long CV4L2_VIDIOC_STREAMON = VIDIOC_STREAMON;
const unsigned long CV4L2_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;

const uint32_t CV4L2_PIX_FMT_MJPEG = V4L2_PIX_FMT_MJPEG;
const uint32_t CV4L2_PIX_FMT_JPEG = V4L2_PIX_FMT_JPEG;
const uint32_t CV4L2_PIX_FMT_YUYV = V4L2_PIX_FMT_YUYV;
