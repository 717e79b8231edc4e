#!/usr/bin/env python3
"""Runs the benchmark runs and prints a table of medians (see scripts/bench)."""
import glob, json, os, statistics, subprocess, sys, time

repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 6
proctor = os.environ.get("PROCTOR", ".build/release/proctor")  # PROCTOR: another build, for before/after
photos = sorted(glob.glob("fixtures/photos/*.jpg"))
extra_dir = "../shared/assets/photos/deepface"
if os.path.isdir(extra_dir):
    photos += sorted(glob.glob(f"{extra_dir}/*.jpg"))[:16]
corpus = photos * repeat
rounds = 3

def run(jobs, extra=()):
    start = time.perf_counter()
    out = subprocess.run([proctor, "analyze", "--format", "jsonl", "--timings", "-q", "--jobs", str(jobs), *extra, "-"],
                         input="\n".join(corpus), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    records = [json.loads(l) for l in out.stdout.splitlines()]
    records = [r for r in records if "timings" in r]
    return wall, records

def median(values):
    return statistics.median(values) if values else float("nan")

print(f"corpus: {len(photos)} photos x {repeat} = {len(corpus)} images; {rounds} rounds, medians; "
      f"cores {os.cpu_count()}")
walls = {1: [], 2: []}
stage_records = []
for _ in range(rounds):
    for jobs in (1, 2):
        wall, records = run(jobs)
        walls[jobs].append(wall)
        if jobs == 1:
            stage_records += records
rate1, rate2 = len(corpus) / median(walls[1]), len(corpus) / median(walls[2])

stages = ["decode", "quality", "faces", "pose", "objects", "total"]
print("\nper-stage ms per image (--jobs 1, median over images):")
for stage in stages:
    print(f"  {stage:8} {median([r['timings'][stage] for r in stage_records]):7.2f}")
total = sum(r["timings"]["total"] for r in stage_records)
opencv = sum(r["timings"]["openCV"] for r in stage_records)
print(f"  pipeline overhead (all but OpenCV calls): {100 * (total - opencv) / total:.1f}% of total time")

print(f"\nthroughput: --jobs 1 {rate1:.1f} images/s, --jobs 2 {rate2:.1f} images/s, ratio {rate2 / rate1:.2f}x")

small_walls = []
for _ in range(rounds):
    small_walls.append(run(1, ["--object-size", "320"])[0])
rate_small = len(corpus) / median(small_walls)
print(f"object detector at 320 instead of 416: --jobs 1 {rate_small:.1f} images/s ({rate_small / rate1:.2f}x)")

naive = []
for _ in range(rounds):
    out = subprocess.run(["/usr/bin/python3", "scripts/bench.d/naive.py", "models", *corpus], capture_output=True, text=True)
    if out.returncode != 0:
        print(f"naive baseline failed: {out.stderr.strip().splitlines()[-1:]}")
        break
    naive.append(json.loads(out.stdout)["images_per_second"])
if naive:
    n = median(naive)
    print(f"naive Python (1 thread): {n:.1f} images/s; proctor --jobs 1 is {rate1 / n:.2f}x, --jobs 2 is {rate2 / n:.2f}x")
