#!/usr/bin/env python3
"""Installs the pinned OpenVINO runtime (the `openvino` wheel from PyPI) into a project-local folder.

Usage: install-openvino.py DEST
The wheel is fetched with pip (hash-checked against the pin below) and only the C runtime is kept:
the C API header, libopenvino_c, the core, the CPU plugin, the ONNX frontend and TBB, plus the licence
files. Nothing else of the wheel (Python bindings, GPU/NPU plugins, other frontends) is unpacked.
proctor loads this folder with dlopen at run time (see README, "Inference engines"); nothing is fetched
at run time. Idempotent: a DEST that already holds this version is left alone.
"""
import hashlib, os, shutil, subprocess, sys, tempfile, zipfile

VERSION = "2026.4.1"
# The manylinux_2_28 x86-64 wheel for CPython 3.11. The C libraries inside do not depend on the Python
# version; pinning one exact file keeps every machine on the same bytes.
WHEEL = "openvino-2026.4.1-22982-cp311-cp311-manylinux_2_28_x86_64.whl"
SHA256 = "2d22b1da03f7caf74df30e9f6417d0ab2f637e4a38e08e1dcd294d2c37407aaf"
# What the C runtime needs on a CPU, and nothing else (also the list the Debian package carries).
RUNTIME = [
    "openvino/libs/libopenvino_c.so.2641",
    "openvino/libs/libopenvino.so.2641",
    "openvino/libs/libopenvino_intel_cpu_plugin.so",
    "openvino/libs/libopenvino_onnx_frontend.so.2641",
    "openvino/libs/libtbb.so.12",
    "openvino/libs/libtbbbind_2_5.so.3",
    "openvino/libs/libhwloc.so.15",
]
HEADERS = "openvino/include/openvino/c/"
LICENCES = "openvino-2026.4.1.dist-info/licenses/"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: install-openvino.py DEST")
    dest = sys.argv[1]
    stamp = os.path.join(dest, "VERSION")
    if os.path.isfile(stamp) and open(stamp).read().strip() == f"{VERSION} {SHA256}":
        return
    with tempfile.TemporaryDirectory(prefix="openvino-wheel-") as work:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--only-binary=:all:", "--platform", "manylinux_2_28_x86_64", "--python-version", "3.11",
             "--implementation", "cp", "--dest", work, f"openvino=={VERSION}"],
            check=True)
        wheel = os.path.join(work, WHEEL)
        if not os.path.isfile(wheel):
            sys.exit(f"install-openvino: pip did not fetch {WHEEL} (found {os.listdir(work)})")
        digest = hashlib.sha256(open(wheel, "rb").read()).hexdigest()
        if digest != SHA256:
            sys.exit(f"install-openvino: {WHEEL} has sha256 {digest}, expected {SHA256}")
        staging = dest + ".partial"
        shutil.rmtree(staging, ignore_errors=True)
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            wanted = [n for n in names if n in RUNTIME or (n.startswith(HEADERS) or n.startswith(LICENCES)) and not n.endswith("/")]
            missing = [n for n in RUNTIME if n not in names]
            if missing:
                sys.exit(f"install-openvino: the wheel lacks {missing}")
            for name in wanted:
                if name.startswith(LICENCES):
                    target = os.path.join(staging, "licenses", name[len(LICENCES):])
                elif name.startswith("openvino/libs/"):
                    target = os.path.join(staging, "lib", os.path.basename(name))
                else:
                    target = os.path.join(staging, "include", name[len("openvino/include/"):])
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with archive.open(name) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
        with open(os.path.join(staging, "VERSION"), "w") as out:
            out.write(f"{VERSION} {SHA256}\n")
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(staging, dest)
    print(f"install-openvino: OpenVINO {VERSION} C runtime in {dest}", file=sys.stderr)


main()
