#!/usr/bin/env python3
"""Resident memory of a process by mapping (from /proc/PID/smaps): anonymous memory (heap, thread stacks,
JIT code) apart from each shared library. Used by monitor.py; also runnable: mappings.py PID [TOP]."""
import os, sys

def by_mapping(pid):
    """{name: resident kB}: a library's name without its folder, "[anon]" for anonymous memory."""
    totals, name = {}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if not fields:
                continue
            if "-" in fields[0] and not fields[0].endswith(":"):
                path = fields[5] if len(fields) > 5 else ""
                name = os.path.basename(path) if path.startswith("/") else (path if path.startswith("[stack") or path in ("[heap]", "[vdso]", "[vvar]") else "[anon]")
            elif fields[0] == "Rss:" and name is not None:
                totals[name] = totals.get(name, 0) + int(fields[1])
    return totals

def summary(totals, top=8):
    """One line: total, anonymous, libraries, then the largest libraries (MB)."""
    anon = sum(v for k, v in totals.items() if k.startswith("[") and k not in ("[vdso]", "[vvar]"))
    libraries = sorted(((v, k) for k, v in totals.items() if not k.startswith("[")), reverse=True)
    files = sum(v for v, _ in libraries)
    largest = ", ".join(f"{k} {v / 1024:.1f}" for v, k in libraries[:top])
    return f"{(anon + files) / 1024:.0f} MB = anonymous {anon / 1024:.1f} + files {files / 1024:.1f} ({largest})"

if __name__ == "__main__":
    print(summary(by_mapping(int(sys.argv[1])), int(sys.argv[2]) if len(sys.argv) > 2 else 8))
