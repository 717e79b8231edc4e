#!/usr/bin/env python3
"""Monitor benchmark: CPU ms per analysed frame and resident memory while replaying a 10-minute clip of
640x480 frames at 2 and 5 fps (as fast as analysis allows), and the CPU share of one core during
real-time monitoring at the defaults. Usage: monitor.py [MINUTES] [REALTIME_SECONDS]"""
import os, subprocess, sys, tempfile, threading, time
from PIL import Image

minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10
realtime_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
proctor = os.path.abspath(os.environ.get("PROCTOR", ".build/release/proctor"))  # PROCTOR: another build
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
    os.makedirs(folder, exist_ok=True)
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

def run(fps, seconds, realtime=False):
    folder = clip(fps, seconds)
    outbox = os.path.join(work, f"outbox-{fps}-{realtime}.sqlite")
    args = [proctor, "monitor", "--source", folder, "--student", "bench", "--outbox", outbox, "--fps", str(fps), "-q"]
    if realtime:
        args.append("--realtime")
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
for fps in (2, 5):
    wall, cpu, samples, frames = run(fps, minutes * 60)
    rss = [r for _, r in samples if r > 0]
    after_first_minute = [r for t, r in samples if t > wall * (1 / minutes)] or rss
    print(f"  {fps} fps: {frames} frames in {wall:.0f} s wall; CPU {1000 * cpu / frames:.0f} ms/frame; "
          f"RSS max {max(rss):.0f} MB, after the first minute {min(after_first_minute):.0f}-{max(after_first_minute):.0f} MB "
          f"(end {rss[-1]:.0f} MB)")
wall, cpu, samples, frames = run(2, realtime_seconds, realtime=True)
print(f"  real time at the defaults (2 fps, {realtime_seconds:g} s): CPU {100 * cpu / wall:.1f}% of one core, "
      f"RSS max {max(r for _, r in samples):.0f} MB")
