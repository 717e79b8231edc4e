#!/usr/bin/env python3
"""Identity benchmark: the extra cost per 640x480 frame of comparing faces with a reference photo.
(1) proctor analyze --jobs 1 over webcam-sized frames with and without --reference (per-stage medians);
(2) proctor monitor over a replayed clip without a reference and with one, re-comparing a matched
candidate on every frame and on every 4th (the default) / 8th frame (CPU ms per frame, one OpenCV thread).
Usage: identity.py [FRAMES] (default 120 frames per monitor run)"""
import json, os, resource, statistics, subprocess, sys, tempfile, time
from PIL import Image

frames = int(sys.argv[1]) if len(sys.argv) > 1 else 120
proctor = os.path.abspath(".build/release/proctor")
reference = "fixtures/photos/deepface/img2.jpg"
work = tempfile.mkdtemp(prefix="proctor-bench-identity-")
# Webcam-sized frames of one face each (the candidate), from the fixture and deepface photos.
sources = ["fixtures/photos/keliamoniz1.jpg", "fixtures/photos/deepface/img6.jpg", "fixtures/photos/deepface/img3.jpg",
           "fixtures/photos/deepface/img11.jpg"]
def webcam_sized(source, target):
    """A 4:3 crop (upper part of a portrait photo) resized to 640x480: no squashed faces, which would
    read as pitched heads and be skipped as unclear."""
    image = Image.open(source).convert("RGB")
    w, h = image.size
    if w / h < 4 / 3:
        crop_h = w * 3 / 4
        top = max(0, (h - crop_h) * 0.3)
        image = image.crop((0, int(top), w, int(top + crop_h)))
    else:
        crop_w = h * 4 / 3
        left = (w - crop_w) / 2
        image = image.crop((int(left), 0, int(left + crop_w), h))
    image.resize((640, 480)).save(target, quality=90)
    return target

paths = [webcam_sized(source, os.path.join(work, f"640-{index}.jpg")) for index, source in enumerate(sources)]

def median(values):
    return statistics.median(values) if values else float("nan")

def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

def analyze(extra):
    corpus = paths * 15
    before = children_cpu()
    out = subprocess.run([proctor, "analyze", "--format", "jsonl", "--timings", "-q", "--jobs", "1", *extra, "-"],
                         input="\n".join(corpus), capture_output=True, text=True, check=True)
    records = [json.loads(l) for l in out.stdout.splitlines() if '"timings"' in l]
    return records, 1000 * (children_cpu() - before) / len(records)

runs = [(analyze([]), analyze(["--reference", reference])) for _ in range(3)]
plain, compared = runs[-1][0][0], runs[-1][1][0]
cpu_plain, cpu_compared = median([r[0][1] for r in runs]), median([r[1][1] for r in runs])
print(f"analyze, 640x480 frames, --jobs 1: CPU {cpu_plain:.1f} ms per frame without reference, {cpu_compared:.1f} with "
      f"(+{cpu_compared - cpu_plain:.1f} ms: every face compared, reference loading included; median of 3 runs)")
print(f"wall-clock stage medians of the last run ({len(plain)} frames; inflated by other load on the machine):")
for stage in ["faces", "objects", "identity", "total"]:
    a = median([r["timings"].get(stage, 0) for r in plain])
    b = median([r["timings"].get(stage, 0) for r in compared])
    print(f"  {stage:8} without reference {a:7.2f} ms   with reference {b:7.2f} ms")
faces = sum(len(r.get("faces", [])) for r in compared)
print(f"  identity per compared face: {median([r['timings']['identity'] / max(1, len(r['faces'])) for r in compared]):.2f} ms "
      f"({faces} faces)")

# The student (the person of the reference photo) in two photos, switching every 10 frames (each switch
# breaks the face track); and a stranger (the worst case: compared on every frame).
student = [webcam_sized(f"fixtures/photos/deepface/{name}", os.path.join(work, f"student-{name}")) for name in ["img1.jpg", "img6.jpg"]]

def make_clip(name, sources, length=None):
    folder = os.path.join(work, name)
    os.makedirs(folder)
    for i in range(length or frames):
        os.symlink(sources[(i // 10) % len(sources)], os.path.join(folder, f"f{i:06d}.jpg"))
    return folder

clip = make_clip("clip-student", student)
stranger_clip = make_clip("clip-stranger", [paths[2]])

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def monitor(extra, every=None, source=None, per_frame=True):
    outbox = os.path.join(work, f"outbox-{len(extra)}-{every}-{source is None}.sqlite")
    args = [proctor, "monitor", "--source", source or clip, "--student", "bench", "--outbox", outbox, "--fps", "2", "-q", *extra]
    if every:
        config = os.path.join(work, f"every-{every}.json")
        with open(config, "w") as f:
            json.dump({"identityEvery": every}, f)
        args += ["--config", config]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cpu = 0.0
    while process.poll() is None:
        try:
            cpu = cpu_seconds(process.pid)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            break
        time.sleep(0.05)
    if process.wait() != 0:
        sys.exit(f"monitor failed: {process.stderr.read().decode().strip()}")
    return 1000 * cpu / frames if per_frame else cpu

rounds = 3
base = median([monitor([]) for _ in range(rounds)])
print(f"\nmonitor, {frames} frames of 640x480 at 2 fps, CPU ms per frame (median of {rounds} runs; start-up and "
      f"reference loading included):")
print(f"  student at the desk, without reference   {base:6.1f}")
for every in (1, 4, 8):
    cost = median([monitor(["--reference", reference], every) for _ in range(rounds)])
    print(f"  student, reference, identityEvery {every}     {cost:6.1f}  (+{cost - base:.1f} ms per frame)")
stranger_base = median([monitor([], source=stranger_clip) for _ in range(rounds)])
stranger = median([monitor(["--reference", reference], source=stranger_clip) for _ in range(rounds)])
print(f"  stranger at the desk (compared on every frame): {stranger_base:.1f} without reference, {stranger:.1f} with "
      f"(+{stranger - stranger_base:.1f} ms per frame)")

# Steady state, as in a long exam: the CPU of a run of 2N frames less that of a run of N frames, per
# added frame, so start-up (models, compiling, the reference photo) drops out.
long_clip = make_clip("clip-student-long", student, 2 * frames)
long_stranger = make_clip("clip-stranger-long", [paths[2]], 2 * frames)
def marginal(extra, short, long, every=None):
    runs = [(monitor(extra, every, long, per_frame=False) - monitor(extra, every, short, per_frame=False)) / frames
            for _ in range(rounds)]
    return 1000 * median(runs)
print(f"\nmonitor steady state (a {2 * frames}-frame run less a {frames}-frame one, CPU ms per added frame, "
      f"median of {rounds}):")
student_plain = marginal([], clip, long_clip)
student_checked = marginal(["--reference", reference], clip, long_clip, every=4)
stranger_plain = marginal([], stranger_clip, long_stranger)
stranger_checked = marginal(["--reference", reference], stranger_clip, long_stranger)
print(f"  student at the desk: {student_plain:.1f} without reference, {student_checked:.1f} with (identityEvery 4): "
      f"+{student_checked - student_plain:.1f} ms per frame")
print(f"  stranger at the desk: {stranger_plain:.1f} without reference, {stranger_checked:.1f} with: "
      f"+{stranger_checked - stranger_plain:.1f} ms per frame")
