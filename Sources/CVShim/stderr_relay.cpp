// The stderr relay (cvshim_stderr.h). The relay runs in a forked child of a possibly multi-threaded
// process, so it uses only async-signal-safe calls (read, write, clock_gettime, _exit) and static
// buffers: no malloc, no stdio, no locale.
#include "cvshim_stderr.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace {

/// Longer lines are cut into records of this many bytes.
constexpr size_t kLineCap = 8192;
/// A record: every byte escaped as \u00XX at worst, plus the envelope.
constexpr size_t kRecordCap = kLineCap * 6 + 256;

pid_t relay_pid = -1;
char passthrough[64];
size_t passthrough_length = 0;

char line[kLineCap];
char record[kRecordCap];

void write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0) {
            if (errno == EINTR) continue;
            return;
        }
        data += written;
        length -= static_cast<size_t>(written);
    }
}

struct Record {
    size_t used = 0;
    void text(const char *s) {
        while (*s != '\0' && used < kRecordCap) record[used++] = *s++;
    }
    void byte(char c) {
        if (used < kRecordCap) record[used++] = c;
    }
    void digits(long value, int width) {
        char buffer[20];
        for (int i = width - 1; i >= 0; i--) {
            buffer[i] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
        for (int i = 0; i < width; i++) byte(buffer[i]);
    }
    void escaped(unsigned char c) {
        static const char hex[] = "0123456789abcdef";
        text("\\u00");
        byte(hex[c >> 4]);
        byte(hex[c & 15]);
    }
    void replacement() { text("\\ufffd"); }
};

/// The length of the valid UTF-8 sequence at `s` (at most `left` bytes), or 0 when it is not one.
size_t utf8_length(const unsigned char *s, size_t left) {
    unsigned char lead = s[0];
    size_t length;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;  // no UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
    } else return 0;
    if (length > left || s[1] < low || s[1] > high) return 0;
    for (size_t i = 2; i < length; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return length;
}

/// ISO 8601 UTC with milliseconds, as the Swift log handler writes it ("2026-11-29T21:42:21.531Z").
void timestamp(Record &out) {
    struct timespec now {};
    clock_gettime(CLOCK_REALTIME, &now);
    long long seconds = now.tv_sec;
    long long days = seconds / 86400;
    long rest = static_cast<long>(seconds % 86400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    long long z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long day = static_cast<long>(doy - (153 * mp + 2) / 5 + 1);
    long month = static_cast<long>(mp < 10 ? mp + 3 : mp - 9);
    long year = static_cast<long>(yoe + era * 400 + (month <= 2 ? 1 : 0));
    out.digits(year, 4);
    out.byte('-');
    out.digits(month, 2);
    out.byte('-');
    out.digits(day, 2);
    out.byte('T');
    out.digits(rest / 3600, 2);
    out.byte(':');
    out.digits(rest / 60 % 60, 2);
    out.byte(':');
    out.digits(rest % 60, 2);
    out.byte('.');
    out.digits(now.tv_nsec / 1000000, 3);
    out.byte('Z');
}

/// Writes one line (without its newline) to `fd`: as it is, or wrapped as a JSON record.
void emit(int fd, const char *text, size_t length) {
    while (length > 0 && (text[length - 1] == '\r')) length--;
    bool object = length >= 2 && text[0] == '{' && text[length - 1] == '}';
    bool passed = passthrough_length > 0 && length >= passthrough_length && memcmp(text, passthrough, passthrough_length) == 0;
    if (object || passed) {
        write_all(fd, text, length);
        write_all(fd, "\n", 1);
        return;
    }
    bool blank = true;
    for (size_t i = 0; i < length; i++)
        if (text[i] != ' ' && text[i] != '\t') blank = false;
    if (blank) return;
    Record out;
    out.text("{\"level\":\"warning\",\"logger\":\"native\",\"msg\":\"");
    const auto *bytes = reinterpret_cast<const unsigned char *>(text);
    for (size_t i = 0; i < length;) {
        unsigned char c = bytes[i];
        if (c == '"' || c == '\\') {
            out.byte('\\');
            out.byte(static_cast<char>(c));
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            out.escaped(c);
            i++;
        } else if (c < 0x80) {
            out.byte(static_cast<char>(c));
            i++;
        } else if (size_t n = utf8_length(bytes + i, length - i); n > 0) {
            for (size_t k = 0; k < n; k++) out.byte(static_cast<char>(bytes[i + k]));
            i += n;
        } else {
            out.replacement();
            i++;
        }
    }
    out.text("\",\"ts\":\"");
    timestamp(out);
    out.text("\"}\n");
    write_all(fd, record, out.used);
}

[[noreturn]] void relay(int input, int output) {
    // Only the end of the pipe ends the relay: a Ctrl-C or systemd's SIGTERM to the whole group must
    // not silence the main process's last lines.
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    char chunk[4096];
    size_t used = 0;
    for (;;) {
        ssize_t count = read(input, chunk, sizeof chunk);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) break;
        for (ssize_t i = 0; i < count; i++) {
            if (chunk[i] == '\n') {
                emit(output, line, used);
                used = 0;
                continue;
            }
            if (used == kLineCap) {
                emit(output, line, used);
                used = 0;
            }
            line[used++] = chunk[i];
        }
    }
    if (used > 0) emit(output, line, used);
    _exit(0);
}

/// At exit: end the pipe and give the relay time to write what is left.
void finish_relay() {
    if (relay_pid <= 0) return;
    close(STDERR_FILENO);
    for (int waited = 0; waited < 200; waited++) {
        pid_t done = waitpid(relay_pid, nullptr, WNOHANG);
        if (done == relay_pid || (done < 0 && errno != EINTR)) return;
        struct timespec pause {0, 10 * 1000 * 1000};
        nanosleep(&pause, nullptr);
    }
}

}  // namespace

extern "C" int pv_stderr_relay_start(const char *passthrough_prefix) {
    if (relay_pid > 0 || isatty(STDERR_FILENO)) return -1;
    if (passthrough_prefix != nullptr) {
        passthrough_length = strnlen(passthrough_prefix, sizeof passthrough - 1);
        memcpy(passthrough, passthrough_prefix, passthrough_length);
    }
    int ends[2];
    if (pipe(ends) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(ends[0]);
        close(ends[1]);
        return -1;
    }
    if (pid == 0) {
        close(ends[1]);
        relay(ends[0], STDERR_FILENO);
    }
    close(ends[0]);
    if (dup2(ends[1], STDERR_FILENO) < 0) {
        close(ends[1]);
        return -1;  // the relay sees the end of its pipe and exits
    }
    close(ends[1]);
    relay_pid = pid;
    atexit(finish_relay);
    return 0;
}
