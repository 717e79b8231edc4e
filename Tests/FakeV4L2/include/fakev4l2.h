// A fake V4L2 camera behind the CV4L2 backend table, so the real capture code runs in tests.
//
// One virtual device node answers QUERYCAP, ENUM_FMT, G/S_FMT, G/S_PARM, REQBUFS, QUERYBUF, QBUF,
// DQBUF, STREAMON and STREAMOFF, hands out buffers through `mmap`, and produces a fixture frame
// every 1/fps seconds while streaming (dropping frames when no buffer is queued, like a driver).
// Descriptors are non-blocking only: DQBUF with nothing ready fails with EAGAIN.
// Faults are switched on from the test: unplug, stall, EINTR, and errors at open.
#ifndef PROCTOR_FAKEV4L2_H
#define PROCTOR_FAKEV4L2_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Installs the fake as the CV4L2 backend and resets it: node "/dev/fake-video0", no formats,
/// 30 fps, no faults. Descriptors still open from an earlier test are forgotten.
void fakev4l2_reset(void);
/// Restores the real libv4l2 backend.
void fakev4l2_uninstall(void);

/// The device node the fake answers to; every other path fails with ENOENT.
void fakev4l2_set_path(const char *path);
/// Offers `fourcc` at one size (S_FMT snaps to it, as drivers do) with `frame` as every frame's
/// payload (copied). Formats enumerate in the order they were added. Returns -1 when full.
int fakev4l2_add_format(uint32_t fourcc, uint32_t width, uint32_t height, const uint8_t *frame,
                        size_t length);
/// The only frame rate the device runs at; S_PARM grants it whatever was asked.
void fakev4l2_set_frame_rate(uint32_t fps);

/// Makes `open` fail with `error` (ENOENT, EACCES, EBUSY...); 0 clears it.
void fakev4l2_set_open_errno(int error);
/// Makes S_FMT and REQBUFS fail with EBUSY, as when another program streams from the camera.
void fakev4l2_set_busy(int busy);
/// Unplugs the device: open descriptors fail every ioctl with `error` (ENODEV or EIO) and poll
/// reports POLLERR; new opens fail with ENOENT until `fakev4l2_replug`.
void fakev4l2_unplug(int error);
void fakev4l2_replug(void);
/// Produces no frame for the next `seconds` (across reopens).
void fakev4l2_stall(double seconds);
/// An unplugged device comes back by itself once the clock reaches `time` (see fakev4l2_now).
void fakev4l2_replug_at(double time);

/// Runs the device on virtual time from now until the next reset: its clock (fakev4l2_now, and the
/// frames' timestamps) starts at `start` and moves only when poll waits (jumping straight to the next
/// frame or the timeout) or fakev4l2_advance moves it, and never past the limit fakev4l2_allow_until
/// set (initially `start`). A poll held at the limit returns 0 after a 1 ms real nap.
void fakev4l2_use_virtual_time(double start);
/// Lets virtual time run up to `limit` (a limit is never lowered).
void fakev4l2_allow_until(double limit);
/// Moves virtual time forward by up to `seconds`, stopping at the limit; returns how far it moved.
double fakev4l2_advance(double seconds);
/// The device's clock: CLOCK_MONOTONIC seconds, or the virtual time.
double fakev4l2_now(void);
/// Makes the next `count` calls to open, ioctl or poll fail once with EINTR (each retry succeeds).
void fakev4l2_inject_eintr(int count);

/// EINTR failures injected but not yet delivered.
int fakev4l2_eintr_pending(void);
/// Frames the device has produced into buffers since the last reset.
unsigned fakev4l2_frames_produced(void);
/// Buffers dequeued by the capture code since the last reset.
unsigned fakev4l2_frames_dequeued(void);
/// Descriptors currently open.
int fakev4l2_open_descriptors(void);
/// Buffers currently mapped.
int fakev4l2_mapped_buffers(void);
/// Successful opens since the last reset.
int fakev4l2_total_opens(void);

#ifdef __cplusplus
}
#endif

#endif
