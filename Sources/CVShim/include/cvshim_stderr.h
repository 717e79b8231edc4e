// The last line of defence for JSON-lines logs: native code that writes on stderr by itself.
//
// libraries under OpenCV (libjpeg's "Corrupt JPEG data: ...", GStreamer, OpenVINO) and the Swift
// runtime's own "Fatal error: ..." write plain text on fd 2. When stderr is not a terminal, fd 2 can be
// turned into a pipe read by a small relay process (forked, so it outlives a crash of the main one and
// still delivers its last words) that copies JSON object lines through and wraps every other line as a
// JSON log record. Same conventions as cvshim.h.
#ifndef PROCTOR_CVSHIM_STDERR_H
#define PROCTOR_CVSHIM_STDERR_H

#ifdef __cplusplus
extern "C" {
#endif

/// Starts the relay: fd 2 becomes the pipe. Lines that are JSON objects, and lines starting with
/// `passthrough_prefix` (at most 63 bytes; NULL for none), are copied as they are; any other line becomes
/// {"level":"warning","logger":"native","msg":<the line>,"ts":<UTC time>}. At exit the pipe is closed and
/// the relay waited for (at most 2 s), so every line is out when the process is gone. Returns 0 when
/// started, -1 (stderr untouched) when stderr is a terminal or the pipe or fork failed.
int pv_stderr_relay_start(const char *passthrough_prefix);

#ifdef __cplusplus
}
#endif

#endif
