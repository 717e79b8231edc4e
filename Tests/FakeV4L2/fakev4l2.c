// The fake V4L2 device. All state sits behind one mutex: the capture thread calls in while the
// test thread switches faults on and off.
#include "fakev4l2.h"

#include <cv4l2.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { MAX_FORMATS = 4, MAX_FDS = 16, MAX_BUFFERS = 8, MIN_BUFFERS = 2, FIRST_FD = 10000 };

struct format {
    uint32_t fourcc, width, height;
    uint8_t *frame;
    size_t length;
};

enum buffer_state { USER, QUEUED, DONE };

struct buffer {
    uint8_t *memory;
    size_t length;
    bool mapped;
    enum buffer_state state;
    uint64_t done_order;
    struct v4l2_buffer info;
};

struct descriptor {
    bool used, dead;
    int dead_errno;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
    char path[256];
    struct format formats[MAX_FORMATS];
    int format_count, current_format;
    uint32_t fps;
    int open_errno, busy, unplug_errno;
    bool unplugged;
    double stall_until;
    int eintr_pending;
    bool just_interrupted;
    struct descriptor fds[MAX_FDS];
    int owner;  // descriptor holding the buffers, -1 when none
    struct buffer buffers[MAX_BUFFERS];
    int buffer_count;
    bool streaming;
    // Virtual time (fakev4l2_use_virtual_time): the clock moves only when poll waits or a sleep
    // advances it, never past `time_limit`.
    bool virtual_time;
    double virtual_now, time_limit;
    double replug_at;  // > 0: an unplugged device comes back at this time
    double next_due;
    uint32_t sequence;
    uint64_t done_counter;
    unsigned produced, dequeued;
    int total_opens;
} dev;

// Buffers whose descriptor closed while still mapped; freed at munmap, as the kernel would.
static struct buffer orphans[64];

static double now(void) {
    if (dev.virtual_time) return dev.virtual_now;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(int error) {
    errno = error;
    return -1;
}

// Interrupts every other call, so each interrupted call succeeds when retried.
static bool take_eintr(void) {
    if (dev.eintr_pending <= 0 || dev.just_interrupted) {
        dev.just_interrupted = false;
        return false;
    }
    dev.eintr_pending--;
    dev.just_interrupted = true;
    return true;
}

static struct descriptor *lookup(int fd) {
    int slot = fd - FIRST_FD;
    if (slot < 0 || slot >= MAX_FDS || !dev.fds[slot].used) return NULL;
    return &dev.fds[slot];
}

static struct format *current_format(void) {
    if (dev.format_count == 0) return NULL;
    return &dev.formats[dev.current_format];
}

static size_t image_size(const struct format *format) {
    size_t packed = (size_t)format->width * format->height * 2;
    return format->length > packed ? format->length : packed;
}

static void stop_streaming(void) {
    dev.streaming = false;
    for (int i = 0; i < dev.buffer_count; i++) dev.buffers[i].state = USER;
}

static void release_buffers(void) {
    stop_streaming();
    for (int i = 0; i < dev.buffer_count; i++) {
        struct buffer *buffer = &dev.buffers[i];
        if (!buffer->mapped) {
            free(buffer->memory);
            continue;
        }
        for (size_t j = 0; j < sizeof orphans / sizeof orphans[0]; j++) {
            if (orphans[j].memory == NULL) {
                orphans[j] = *buffer;
                break;
            }
        }
    }
    memset(dev.buffers, 0, sizeof dev.buffers);
    dev.buffer_count = 0;
    dev.owner = -1;
}

// Fills queued buffers with every frame that fell due since the last call.
static void advance(void) {
    if (!dev.streaming || dev.fps == 0) return;
    double period = 1.0 / dev.fps, t = now();
    struct format *format = current_format();
    while (dev.next_due <= t) {
        double due = dev.next_due;
        dev.next_due += period;
        if (due < dev.stall_until || format == NULL) continue;
        struct buffer *target = NULL;
        for (int i = 0; i < dev.buffer_count && target == NULL; i++)
            if (dev.buffers[i].state == QUEUED) target = &dev.buffers[i];
        uint32_t sequence = dev.sequence++;
        if (target == NULL) continue;  // no buffer queued: the driver drops the frame
        size_t length = format->length < target->length ? format->length : target->length;
        memcpy(target->memory, format->frame, length);
        target->state = DONE;
        target->done_order = dev.done_counter++;
        target->info.bytesused = (uint32_t)length;
        target->info.sequence = sequence;
        target->info.timestamp.tv_sec = (long)due;
        target->info.timestamp.tv_usec = (long)((due - (double)(long)due) * 1e6);
        dev.produced++;
    }
}

static struct buffer *oldest_done(void) {
    struct buffer *oldest = NULL;
    for (int i = 0; i < dev.buffer_count; i++) {
        struct buffer *buffer = &dev.buffers[i];
        if (buffer->state == DONE && (oldest == NULL || buffer->done_order < oldest->done_order))
            oldest = buffer;
    }
    return oldest;
}

static void describe_buffer(const struct buffer *buffer, int index, struct v4l2_buffer *out) {
    uint32_t type = out->type;
    *out = buffer->info;
    out->type = type;
    out->index = (uint32_t)index;
    out->memory = V4L2_MEMORY_MMAP;
    out->length = (uint32_t)buffer->length;
    out->m.offset = (uint32_t)index << 12;
    out->flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
    if (buffer->state == QUEUED) out->flags |= V4L2_BUF_FLAG_QUEUED;
    if (buffer->state == DONE) out->flags |= V4L2_BUF_FLAG_DONE;
    if (buffer->mapped) out->flags |= V4L2_BUF_FLAG_MAPPED;
}

static void fill_format(struct v4l2_format *out) {
    struct format *format = current_format();
    memset(&out->fmt, 0, sizeof out->fmt);
    if (format == NULL) return;
    struct v4l2_pix_format *pix = &out->fmt.pix;
    pix->width = format->width;
    pix->height = format->height;
    pix->pixelformat = format->fourcc;
    pix->field = V4L2_FIELD_NONE;
    pix->bytesperline = format->fourcc == V4L2_PIX_FMT_YUYV ? format->width * 2 : 0;
    pix->sizeimage = (uint32_t)image_size(format);
}

static int device_ioctl(struct descriptor *descriptor, int fd, unsigned long request, void *arg) {
    if (descriptor->dead) return fail(descriptor->dead_errno);
    if (arg == NULL) return fail(EFAULT);
    if (request == VIDIOC_QUERYCAP) {
        struct v4l2_capability *cap = arg;
        memset(cap, 0, sizeof *cap);
        strcpy((char *)cap->driver, "fakev4l2");
        strcpy((char *)cap->card, "Fake Camera");
        strcpy((char *)cap->bus_info, "platform:fake");
        cap->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
        cap->capabilities = cap->device_caps | V4L2_CAP_DEVICE_CAPS;
        return 0;
    }
    if (request == VIDIOC_ENUM_FMT) {
        struct v4l2_fmtdesc *desc = arg;
        if (desc->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || desc->index >= (uint32_t)dev.format_count)
            return fail(EINVAL);
        uint32_t fourcc = dev.formats[desc->index].fourcc;
        desc->pixelformat = fourcc;
        desc->flags = fourcc == V4L2_PIX_FMT_YUYV ? 0 : V4L2_FMT_FLAG_COMPRESSED;
        memset(desc->description, 0, sizeof desc->description);
        memcpy(desc->description, &fourcc, 4);
        return 0;
    }
    if (request == VIDIOC_G_FMT || request == VIDIOC_S_FMT) {
        struct v4l2_format *format = arg;
        if (format->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
        if (request == VIDIOC_S_FMT) {
            if (dev.busy || (dev.owner >= 0 && dev.owner != fd)) return fail(EBUSY);
            for (int i = 0; i < dev.format_count; i++)
                if (dev.formats[i].fourcc == format->fmt.pix.pixelformat) dev.current_format = i;
        }
        fill_format(format);
        return 0;
    }
    if (request == VIDIOC_G_PARM || request == VIDIOC_S_PARM) {
        struct v4l2_streamparm *parm = arg;
        if (parm->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
        memset(&parm->parm, 0, sizeof parm->parm);
        parm->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
        parm->parm.capture.timeperframe.numerator = 1;
        parm->parm.capture.timeperframe.denominator = dev.fps;
        return 0;
    }
    if (request == VIDIOC_REQBUFS) {
        struct v4l2_requestbuffers *req = arg;
        if (req->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || req->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
        if (dev.busy || (dev.owner >= 0 && dev.owner != fd) || dev.streaming) return fail(EBUSY);
        for (int i = 0; i < dev.buffer_count; i++)
            if (dev.buffers[i].mapped) return fail(EBUSY);
        release_buffers();
        if (req->count == 0) return 0;
        struct format *format = current_format();
        if (format == NULL) return fail(EINVAL);
        uint32_t count = req->count < MIN_BUFFERS ? MIN_BUFFERS : req->count > MAX_BUFFERS ? MAX_BUFFERS : req->count;
        size_t length = image_size(format);
        for (uint32_t i = 0; i < count; i++) {
            dev.buffers[i].memory = calloc(1, length);
            if (dev.buffers[i].memory == NULL) {
                release_buffers();
                return fail(ENOMEM);
            }
            dev.buffers[i].length = length;
            dev.buffer_count++;
        }
        dev.owner = fd;
        req->count = count;
        return 0;
    }
    if (request == VIDIOC_QUERYBUF || request == VIDIOC_QBUF || request == VIDIOC_DQBUF) {
        struct v4l2_buffer *buf = arg;
        if (buf->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || buf->memory != V4L2_MEMORY_MMAP || dev.owner != fd)
            return fail(EINVAL);
        if (request == VIDIOC_DQBUF) {
            if (!dev.streaming) return fail(EINVAL);
            advance();
            struct buffer *buffer = oldest_done();
            if (buffer == NULL) return fail(EAGAIN);
            buffer->state = USER;
            dev.dequeued++;
            describe_buffer(buffer, (int)(buffer - dev.buffers), buf);
            return 0;
        }
        if (buf->index >= (uint32_t)dev.buffer_count) return fail(EINVAL);
        struct buffer *buffer = &dev.buffers[buf->index];
        if (request == VIDIOC_QBUF) {
            if (buffer->state != USER) return fail(EINVAL);
            buffer->state = QUEUED;
        }
        describe_buffer(buffer, (int)buf->index, buf);
        return 0;
    }
    if (request == VIDIOC_STREAMON || request == VIDIOC_STREAMOFF) {
        if (*(int *)arg != V4L2_BUF_TYPE_VIDEO_CAPTURE || dev.owner != fd) return fail(EINVAL);
        if (request == VIDIOC_STREAMOFF) {
            stop_streaming();
        } else if (!dev.streaming) {
            dev.streaming = true;
            dev.next_due = now() + (dev.fps ? 1.0 / dev.fps : 0);
        }
        return 0;
    }
    return fail(ENOTTY);
}

// MARK: - Backend entry points

static int fake_open(const char *path, int flags) {
    (void)flags;
    pthread_mutex_lock(&lock);
    if (dev.unplugged && dev.replug_at > 0 && now() >= dev.replug_at) {
        dev.unplugged = false;
        dev.replug_at = 0;
    }
    int result;
    if (take_eintr()) result = fail(EINTR);
    else if (path == NULL || strcmp(path, dev.path) != 0 || dev.unplugged) result = fail(ENOENT);
    else if (dev.open_errno) result = fail(dev.open_errno);
    else {
        result = fail(EMFILE);
        for (int i = 0; i < MAX_FDS; i++) {
            if (dev.fds[i].used) continue;
            dev.fds[i] = (struct descriptor){.used = true};
            dev.total_opens++;
            result = FIRST_FD + i;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

static int fake_close(int fd) {
    pthread_mutex_lock(&lock);
    struct descriptor *descriptor = lookup(fd);
    int result = 0;
    if (descriptor == NULL) result = fail(EBADF);
    else {
        if (dev.owner == fd) release_buffers();
        descriptor->used = false;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

static int fake_ioctl(int fd, unsigned long request, void *arg) {
    pthread_mutex_lock(&lock);
    struct descriptor *descriptor = lookup(fd);
    int result;
    if (take_eintr()) result = fail(EINTR);
    else if (descriptor == NULL) result = fail(EBADF);
    else result = device_ioctl(descriptor, fd, request, arg);
    pthread_mutex_unlock(&lock);
    return result;
}

static void *fake_mmap(size_t length, int prot, int flags, int fd, int64_t offset) {
    (void)prot;
    (void)flags;
    pthread_mutex_lock(&lock);
    void *result = MAP_FAILED;
    struct descriptor *descriptor = lookup(fd);
    int64_t index = offset >> 12;
    if (descriptor == NULL) errno = EBADF;
    else if (descriptor->dead) errno = descriptor->dead_errno;
    else if (dev.owner != fd || index < 0 || index >= dev.buffer_count || (offset & 0xfff) != 0 ||
             length > dev.buffers[index].length)
        errno = EINVAL;
    else {
        dev.buffers[index].mapped = true;
        result = dev.buffers[index].memory;
    }
    pthread_mutex_unlock(&lock);
    return result;
}

static int fake_munmap(void *address, size_t length) {
    (void)length;
    pthread_mutex_lock(&lock);
    int result = fail(EINVAL);
    for (int i = 0; i < dev.buffer_count; i++) {
        if (dev.buffers[i].memory == address && dev.buffers[i].mapped) {
            dev.buffers[i].mapped = false;
            result = 0;
        }
    }
    for (size_t i = 0; i < sizeof orphans / sizeof orphans[0]; i++) {
        if (orphans[i].memory != NULL && orphans[i].memory == address) {
            free(orphans[i].memory);
            orphans[i] = (struct buffer){0};
            result = 0;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

// Checks the descriptors once; returns how many are ready.
static int poll_once(struct pollfd *fds, nfds_t count) {
    int ready = 0;
    for (nfds_t i = 0; i < count; i++) {
        struct descriptor *descriptor = lookup(fds[i].fd);
        fds[i].revents = 0;
        if (descriptor == NULL) fds[i].revents = POLLNVAL;
        else if (descriptor->dead || !dev.streaming || dev.owner != fds[i].fd) fds[i].revents = POLLERR;
        else {
            advance();
            if (oldest_done() != NULL) fds[i].revents = fds[i].events & (POLLIN | POLLRDNORM);
        }
        if (fds[i].revents) ready++;
    }
    return ready;
}

static int fake_poll(struct pollfd *fds, nfds_t count, int timeout_ms) {
    double deadline = now() + (timeout_ms < 0 ? 1e9 : timeout_ms / 1000.0);
    pthread_mutex_lock(&lock);
    if (take_eintr()) {
        pthread_mutex_unlock(&lock);
        return fail(EINTR);
    }
    for (;;) {
        int ready = poll_once(fds, count);
        double t = now();
        if (ready > 0 || t >= deadline) {
            pthread_mutex_unlock(&lock);
            return ready;
        }
        if (dev.virtual_time) {
            // Jump to whatever comes first: the next frame, the timeout, or the limit the test set.
            double target = deadline;
            if (dev.streaming && dev.next_due < target) target = dev.next_due;
            if (target > dev.time_limit) target = dev.time_limit;
            if (target > t) {
                dev.virtual_now = target;
                continue;
            }
            // Held at the limit: give the test a moment, then report a timeout (the caller polls again).
            pthread_mutex_unlock(&lock);
            struct timespec nap = {0, 1000000};
            nanosleep(&nap, NULL);
            return 0;
        }
        // Short naps keep unplugging and resets prompt without a condition variable per fault.
        double wait = deadline - t;
        if (dev.streaming && dev.next_due - t < wait) wait = dev.next_due - t;
        if (wait > 0.005) wait = 0.005;
        if (wait < 0.0002) wait = 0.0002;
        pthread_mutex_unlock(&lock);
        struct timespec nap = {0, (long)(wait * 1e9)};
        nanosleep(&nap, NULL);
        pthread_mutex_lock(&lock);
    }
}

static const struct cv4l2_backend fake_backend = {
    fake_open, fake_close, fake_ioctl, fake_mmap, fake_munmap, fake_poll,
};

// MARK: - Control

void fakev4l2_reset(void) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < dev.format_count; i++) free(dev.formats[i].frame);
    // Buffers of forgotten descriptors stay allocated (they may still be mapped); tests are few.
    memset(&dev, 0, sizeof dev);
    strcpy(dev.path, "/dev/fake-video0");
    dev.fps = 30;
    dev.owner = -1;
    pthread_mutex_unlock(&lock);
    cv4l2_set_backend(&fake_backend);
}

void fakev4l2_uninstall(void) { cv4l2_set_backend(NULL); }

void fakev4l2_set_path(const char *path) {
    pthread_mutex_lock(&lock);
    strncpy(dev.path, path ? path : "", sizeof dev.path - 1);
    pthread_mutex_unlock(&lock);
}

int fakev4l2_add_format(uint32_t fourcc, uint32_t width, uint32_t height, const uint8_t *frame, size_t length) {
    pthread_mutex_lock(&lock);
    int result = -1;
    uint8_t *copy = length ? malloc(length) : NULL;
    if (dev.format_count < MAX_FORMATS && (copy != NULL || length == 0)) {
        if (length) memcpy(copy, frame, length);
        dev.formats[dev.format_count++] = (struct format){fourcc, width, height, copy, length};
        result = 0;
    } else {
        free(copy);
    }
    pthread_mutex_unlock(&lock);
    return result;
}

#define SETTER(name, type, field)                                                                      \
    void name(type value) {                                                                            \
        pthread_mutex_lock(&lock);                                                                     \
        dev.field = value;                                                                             \
        pthread_mutex_unlock(&lock);                                                                   \
    }
SETTER(fakev4l2_set_frame_rate, uint32_t, fps)
SETTER(fakev4l2_set_open_errno, int, open_errno)
SETTER(fakev4l2_set_busy, int, busy)
SETTER(fakev4l2_inject_eintr, int, eintr_pending)

void fakev4l2_unplug(int error) {
    pthread_mutex_lock(&lock);
    dev.unplugged = true;
    for (int i = 0; i < MAX_FDS; i++) {
        if (!dev.fds[i].used) continue;
        dev.fds[i].dead = true;
        dev.fds[i].dead_errno = error;
    }
    dev.streaming = false;
    pthread_mutex_unlock(&lock);
}

void fakev4l2_replug(void) {
    pthread_mutex_lock(&lock);
    dev.unplugged = false;
    pthread_mutex_unlock(&lock);
}

void fakev4l2_use_virtual_time(double start) {
    pthread_mutex_lock(&lock);
    dev.virtual_time = true;
    dev.virtual_now = start;
    dev.time_limit = start;
    pthread_mutex_unlock(&lock);
}

void fakev4l2_allow_until(double limit) {
    pthread_mutex_lock(&lock);
    if (limit > dev.time_limit) dev.time_limit = limit;
    pthread_mutex_unlock(&lock);
}

double fakev4l2_advance(double seconds) {
    pthread_mutex_lock(&lock);
    double moved = 0;
    if (dev.virtual_time && seconds > 0) {
        double target = dev.virtual_now + seconds;
        if (target > dev.time_limit) target = dev.time_limit;
        if (target > dev.virtual_now) moved = target - dev.virtual_now;
        dev.virtual_now += moved;
    }
    pthread_mutex_unlock(&lock);
    return moved;
}

void fakev4l2_replug_at(double time) {
    pthread_mutex_lock(&lock);
    dev.replug_at = time;
    pthread_mutex_unlock(&lock);
}

void fakev4l2_stall(double seconds) {
    pthread_mutex_lock(&lock);
    dev.stall_until = now() + seconds;
    pthread_mutex_unlock(&lock);
}

#define GETTER(name, type, expression)                                                                 \
    type name(void) {                                                                                  \
        pthread_mutex_lock(&lock);                                                                     \
        type value = (expression);                                                                     \
        pthread_mutex_unlock(&lock);                                                                   \
        return value;                                                                                  \
    }
GETTER(fakev4l2_eintr_pending, int, dev.eintr_pending)
GETTER(fakev4l2_frames_produced, unsigned, dev.produced)
GETTER(fakev4l2_frames_dequeued, unsigned, dev.dequeued)
GETTER(fakev4l2_total_opens, int, dev.total_opens)
GETTER(fakev4l2_now, double, now())

int fakev4l2_open_descriptors(void) {
    pthread_mutex_lock(&lock);
    int count = 0;
    for (int i = 0; i < MAX_FDS; i++) count += dev.fds[i].used;
    pthread_mutex_unlock(&lock);
    return count;
}

int fakev4l2_mapped_buffers(void) {
    pthread_mutex_lock(&lock);
    int count = 0;
    for (int i = 0; i < dev.buffer_count; i++) count += dev.buffers[i].mapped;
    for (size_t i = 0; i < sizeof orphans / sizeof orphans[0]; i++) count += orphans[i].memory != NULL;
    pthread_mutex_unlock(&lock);
    return count;
}
