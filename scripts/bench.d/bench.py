#!/usr/bin/env python3
"""Runs the benchmark runs and prints a table of medians (see scripts/bench).

Two corpora: the asset photos at their own sizes, and the same photos as 640x480 webcam frames (the
issue-14 figure). Each is run on both inference engines (--engine opencv, --engine openvino) in the same
process of this script, rounds interleaved, so ratios are measured within one run on a shared machine."""
import glob, json, os, statistics, subprocess, sys, tempfile, time
from PIL import Image

repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 6
proctor = os.environ.get("PROCTOR", ".build/release/proctor")  # PROCTOR: another build, for before/after
cores = os.cpu_count() or 1
photos = sorted(glob.glob("fixtures/photos/*.jpg"))
extra_dir = "../shared/assets/photos/deepface"
if os.path.isdir(extra_dir):
    photos += sorted(glob.glob(f"{extra_dir}/*.jpg"))[:16]
rounds = 3
engines = ["opencv", "openvino"]
# BEFORE=path/to/an/older/proctor adds that binary (run without --engine) as a third column, for
# before/after figures measured in the same run.
before = os.environ.get("BEFORE")
if before:
    engines.append("before")

work = tempfile.mkdtemp(prefix="proctor-bench-")
frames640 = []
for path in photos:
    target = os.path.join(work, "640-" + os.path.basename(path))
    Image.open(path).convert("RGB").resize((640, 480)).save(target, quality=90)
    frames640.append(target)

def run(corpus, jobs, engine, extra=(), env=None, prefix=()):
    start = time.perf_counter()
    binary, selection = (before, []) if engine == "before" else (proctor, ["--engine", engine])
    out = subprocess.run([*prefix, binary, "analyze", "--format", "jsonl", "--timings", "-q", "--jobs", str(jobs), *selection, *extra, "-"],
                         input="\n".join(corpus), capture_output=True, text=True, check=False, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"bench: proctor analyze --engine {engine} failed ({out.returncode}): {out.stderr.strip()[-300:]}")
    records = [json.loads(l) for l in out.stdout.splitlines()]
    return wall, [r for r in records if "timings" in r]

def naive(corpus, threads):
    out = subprocess.run(["/usr/bin/python3", "scripts/bench.d/naive.py", "models", *corpus], capture_output=True, text=True,
                         env={**os.environ, "NT": str(threads)})
    if out.returncode != 0:
        print(f"naive baseline failed: {out.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(out.stdout)["images_per_second"]

def median(values):
    return statistics.median(values) if values else float("nan")

def measure(name, corpus, with_naive):
    print(f"\n{name}: {len(corpus)} images; {rounds} rounds, medians; cores {cores}")
    walls = {(e, j): [] for e in engines for j in (1, cores)}
    stages = {e: [] for e in engines}
    naive_rates = {1: [], cores: []}
    # The threading choice: --jobs 1 by default gives the idle cores to its one job (OpenVINO inference
    # threads inside each forward pass, face and object passes at once); against that same job on one
    # inference thread (PROCTOR_INFERENCE_THREADS=1) and one job per core (--jobs N above).
    single = []
    # One job held to one core (taskset), one inference thread: the like-for-like figure against the naive
    # baseline's one thread, whatever threading --jobs 1 chooses on a bigger machine.
    one_core = ("taskset", "-c", "0")
    pinned = {e: [] for e in engines if e != "before"}
    pinned_startup = {e: [] for e in pinned}
    # Startup (loading and compiling the models: a run of one image per job, so that every job loads its
    # pipeline): the naive baseline times only its loop, so the ratios to it use the steady rate, the
    # other images over the run's wall time less this.
    startup = {key: [] for key in walls}
    for _ in range(rounds):
        for engine in engines:
            for jobs in (1, cores):
                startup[(engine, jobs)].append(run(corpus[:jobs], jobs, engine)[0])
        for engine in engines:
            for jobs in (1, cores):
                wall, records = run(corpus, jobs, engine)
                walls[(engine, jobs)].append(wall)
                if jobs == 1:
                    stages[engine] += records
        if cores > 1:
            single.append(run(corpus, 1, "openvino", env={"PROCTOR_INFERENCE_THREADS": "1"})[0])
            for engine in pinned:
                env = {"PROCTOR_INFERENCE_THREADS": "1"}
                pinned_startup[engine].append(run(corpus[:1], 1, engine, env=env, prefix=one_core)[0])
                pinned[engine].append(run(corpus, 1, engine, env=env, prefix=one_core)[0])
        if with_naive:
            for threads in naive_rates:
                rate = naive(corpus, threads)
                if rate:
                    naive_rates[threads].append(rate)
    rate = {key: len(corpus) / median(values) for key, values in walls.items()}
    steady = {key: (len(corpus) - key[1]) / max(1e-3, median(values) - median(startup[key])) for key, values in walls.items()}
    print("  per-stage ms per image (--jobs 1, median over images):   " + "   ".join(f"{e:>8}" for e in engines))
    for stage in ["decode", "quality", "faces", "pose", "objects", "total"]:
        print(f"    {stage:8} " + " ".join(f"{median([r['timings'][stage] for r in stages[e]]):>11.2f}" for e in engines))
    for engine in engines:
        total = sum(r["timings"]["total"] for r in stages[engine])
        inside = sum(r["timings"]["openCV"] for r in stages[engine])
        if inside <= total:
            print(f"    {engine}: pipeline overhead (all but OpenCV/OpenVINO calls) {100 * (total - inside) / total:.1f}% of total time")
        else:  # the face pass ran beside the object pass: their times overlap and exceed the image's
            print(f"    {engine}: pipeline overhead not measurable: the face and object passes ran at once")
    for engine in engines:
        print(f"  {engine:8}: --jobs 1 {rate[(engine, 1)]:.1f} images/s, --jobs {cores} {rate[(engine, cores)]:.1f} images/s "
              f"(x{rate[(engine, cores)] / rate[(engine, 1)]:.2f}) with startup; without it (one image's run, "
              f"{median(startup[(engine, 1)]):.1f} s, subtracted) {steady[(engine, 1)]:.1f} and {steady[(engine, cores)]:.1f} images/s")
    if single:
        rate_single = len(corpus) / median(single)
        steady_single = (len(corpus) - 1) / max(1e-3, median(single) - median(startup[("openvino", 1)]))
        print(f"  openvino threading: --jobs 1 {rate[('openvino', 1)]:.1f} images/s (steady {steady[('openvino', 1)]:.1f}); "
              f"the same on 1 inference thread {rate_single:.1f} (steady {steady_single:.1f}): "
              f"x{steady[('openvino', 1)] / steady_single:.2f} steady; --jobs {cores} with 1 thread each "
              f"{rate[('openvino', cores)]:.1f} images/s (steady {steady[('openvino', cores)]:.1f})")
    print(f"  openvino / opencv: --jobs 1 x{rate[('openvino', 1)] / rate[('opencv', 1)]:.2f}, "
          f"--jobs {cores} x{rate[('openvino', cores)] / rate[('opencv', cores)]:.2f}")
    if with_naive and naive_rates[1]:
        n1, nall = median(naive_rates[1]), median(naive_rates[cores])
        best = max(n1, nall)
        print(f"  naive Python: {n1:.1f} images/s on 1 thread, {nall:.1f} on {cores} OpenCV threads (best {best:.1f})")
        for engine in (pinned if single else []):
            steady_pinned = (len(corpus) - 1) / max(1e-3, median(pinned[engine]) - median(pinned_startup[engine]))
            print(f"  {engine:8}: --jobs 1 held to one core (taskset -c 0, 1 inference thread) {len(corpus) / median(pinned[engine]):.1f} "
                  f"images/s, steady {steady_pinned:.1f}: {steady_pinned / n1:.2f}x the naive 1-thread baseline")
        for engine in engines:
            print(f"  {engine:8}: --jobs 1 is {steady[(engine, 1)] / n1:.2f}x the naive 1-thread baseline; "
                  f"--jobs {cores} is {steady[(engine, cores)] / best:.2f}x its best (steady rates; with startup "
                  f"{rate[(engine, 1)] / n1:.2f}x and {rate[(engine, cores)] / best:.2f}x)")

measure("640x480 webcam frames (the asset photos resized)", frames640 * repeat, with_naive=True)
if os.environ.get("BENCH_OWN_SIZES", "1") != "0":  # BENCH_OWN_SIZES=0: the 640x480 figures only
    measure("asset photos at their own sizes", photos * repeat, with_naive=True)
