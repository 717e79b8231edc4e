#!/usr/bin/env python3
"""Monitor benchmark, on each inference engine: CPU ms per analysed frame and resident memory while
replaying a clip of 640x480 frames at 2 and 5 fps (as fast as analysis allows), then the CPU share of
one core and the RSS over time during real-time monitoring at the defaults with the object detector on
every analysed frame (objectEvery 1), all engines side by side, with the resident memory by mapping, and
this machine's speed against the issue's (reference.py), to give each share at that speed too.
Usage: monitor.py [MINUTES] [REALTIME_SECONDS] [ENGINES]"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time
import mappings
from PIL import Image

minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10
realtime_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
engines = (sys.argv[3] if len(sys.argv) > 3 else "opencv,openvino").split(",")
proctor = os.path.abspath(os.environ.get("PROCTOR", ".build/release/proctor"))  # PROCTOR: another build
# BEFORE=path/to/an/older/proctor: the engine name "before" runs that binary on OpenVINO (before/after in one run).
before = os.environ.get("BEFORE")
if before and "before" not in engines:
    engines.append("before")

def environment(engine):
    """The before binary gets its own copy of the OpenVINO runtime: pages two processes share are neither
    paged out nor charged to one of them alone, and a workstation runs one monitor."""
    if engine != "before":
        return {}
    copy = os.path.join(work, "openvino-before")
    if not os.path.isdir(copy):
        shutil.copytree(".openvino/lib", os.path.join(copy, "lib"))
    return {"PROCTOR_OPENVINO": copy}

def command(engine):
    return [os.path.abspath(before), "monitor", "--engine", "openvino"] if engine == "before" else [proctor, "monitor", "--engine", engine]
pattern = [("keliamoniz1.jpg", 10), ("person.jpg", 10), ("keliamoniz2.jpg", 8), ("zidane.jpg", 8),
           ("keliamoniz1.jpg", 8), ("phone.jpg", 10), ("keliamoniz2.jpg", 6)]
work = tempfile.mkdtemp(prefix="proctor-bench-")
frames640 = {}
for name, _ in pattern:
    if name not in frames640:
        target = os.path.join(work, "640-" + name)
        image = Image.open(os.path.join("fixtures/photos", name)).convert("RGB")
        image.resize((640, 480)).save(target, quality=90)  # webcam-sized frames
        frames640[name] = target
sequence = [frames640[name] for name, count in pattern for _ in range(count)]

def clip(fps, seconds):
    folder = os.path.join(work, f"clip-{fps}-{int(seconds)}")
    if os.path.isdir(folder):
        return folder
    os.makedirs(folder)
    for i in range(int(fps * seconds)):
        os.symlink(sequence[i % len(sequence)], os.path.join(folder, f"f{i:06d}.jpg"))
    return folder

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

def run(engine, fps, seconds, realtime=False, object_every=None):
    folder = clip(fps, seconds)
    outbox = os.path.join(work, f"outbox-{engine}-{fps}-{realtime}.sqlite")
    args = command(engine) + ["--source", folder, "--student", "bench", "--outbox", outbox, "--fps", str(fps), "-q"]
    if realtime:
        args.append("--realtime")
    env = {**os.environ, **environment(engine)}
    if object_every:
        env["PROCTOR_OBJECT_EVERY"] = str(object_every)
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    samples, cpu = [], 0.0
    while process.poll() is None:
        try:
            samples.append((time.perf_counter() - start, rss_mb(process.pid)))
            cpu = cpu_seconds(process.pid)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            break
        time.sleep(0.25)
    process.wait()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"monitor failed: {process.stderr.read().decode().strip()}")
    return wall, cpu, samples, int(fps * seconds)

print(f"clip: 640x480 frames from the fixture photos (present / absent / two faces / phone), {minutes:g} min of media")
for engine in engines if minutes > 0 else []:
    for fps in (2, 5):
        wall, cpu, samples, frames = run(engine, fps, minutes * 60, object_every=1)
        rss = [r for _, r in samples if r > 0]
        after_first_minute = [r for t, r in samples if r > 0 and t > 60] or rss
        print(f"  {engine:8} {fps} fps, objects every frame: {frames} frames in {wall:.0f} s wall; CPU {1000 * cpu / frames:.1f} ms/frame; "
              f"RSS max {max(rss):.0f} MB, after the first minute {min(after_first_minute):.0f}-{max(after_first_minute):.0f} MB "
              f"(end {rss[-1]:.0f} MB)")
# Real time: every engine's monitor at once (each needs a few % of a core, so they barely disturb each
# other), sampled together; the mapping breakdown is taken near the end of each run.
def realtime(engine):
    folder = clip(2, realtime_seconds)
    outbox = os.path.join(work, f"outbox-{engine}-realtime.sqlite")
    args = command(engine) + ["--source", folder, "--student", "bench", "--outbox", outbox, "--fps", "2", "-q", "--realtime"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **environment(engine), "PROCTOR_OBJECT_EVERY": "1"})

def reference():
    """This machine's speed now (reference.py): the median of OpenCV DNN's YOLOX 416x320 forward."""
    out = subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.py"), "models", "20"],
                         capture_output=True, text=True)
    return json.loads(out.stdout)["yolox_416x320_ms"] if out.returncode == 0 else None

# The machine ran this reference in 47.0 ms. A shared machine's speed drifts within minutes, so it
# is measured before, every minute during (on the core the monitors leave idle) and after the run.
references = [reference()]
start = time.perf_counter()
next_reference = 60
running = {engine: realtime(engine) for engine in engines}
samples = {engine: [] for engine in engines}
cpu = {engine: 0.0 for engine in engines}
wall = {engine: 0.0 for engine in engines}
cpu_at_minute = {engine: None for engine in engines}  # (CPU s, wall s) at the first sample after 60 s
breakdown = {engine: None for engine in engines}
while any(p.poll() is None for p in running.values()):
    now = time.perf_counter() - start
    for engine, process in running.items():
        if process.poll() is not None:
            continue
        try:
            samples[engine].append((now, rss_mb(process.pid)))
            cpu[engine] = cpu_seconds(process.pid)
            wall[engine] = now
            if now >= 60 and cpu_at_minute[engine] is None:
                cpu_at_minute[engine] = (cpu[engine], now)
            if now >= realtime_seconds - 15 and breakdown[engine] is None:
                breakdown[engine] = mappings.summary(mappings.by_mapping(process.pid))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    if now >= next_reference:
        references.append(reference())
        next_reference += 60
    time.sleep(1)
references.append(reference())
speeds = sorted(r for r in references if r)
machine = statistics.median(speeds) if speeds else None
if machine:
    print(f"  machine: OpenCV DNN YOLOX-nano 416x320 on one thread, median {machine:.1f} ms over {len(speeds)} samples "
          f"({speeds[0]:.1f}-{speeds[-1]:.1f}) before, during and after the real-time run (the issue's machine: 47.0 ms); "
          f"shares below are also given at that machine's speed")
def steady(engine):
    """CPU share of one core from the first minute to the end of the run, or None for a shorter run."""
    if cpu_at_minute[engine] is None or wall[engine] <= cpu_at_minute[engine][1]:
        return None
    start_cpu, start_wall = cpu_at_minute[engine]
    return 100 * (cpu[engine] - start_cpu) / (wall[engine] - start_wall)

for engine, process in running.items():
    if process.returncode != 0:
        sys.exit(f"monitor --engine {engine} failed: {process.stderr.read().decode().strip()}")
    rss = [(t, r) for t, r in samples[engine] if r > 0]
    after_first_minute = sorted(r for t, r in rss if t >= 60) or sorted(r for _, r in rss)
    print(f"  {engine:8} real time at the defaults with objects on every frame (2 fps, {realtime_seconds:g} s): "
          f"CPU {100 * cpu[engine] / wall[engine]:.1f}% of one core"
          + (f" ({100 * cpu[engine] / wall[engine] * 47.0 / machine:.1f}% at the issue machine's speed)" if machine else "")
          + (f", after the first minute (the start's compilations left out) {steady(engine):.1f}%"
             + (f" ({steady(engine) * 47.0 / machine:.1f}%)" if machine else "") if steady(engine) is not None else "")
          + f"; RSS after the first minute median "
          f"{after_first_minute[len(after_first_minute) // 2]:.0f} MB, range {after_first_minute[0]:.0f}-{after_first_minute[-1]:.0f} MB, "
          f"max {max(r for _, r in rss):.0f} MB")
    if breakdown[engine]:
        print(f"           near the end: {breakdown[engine]}")
