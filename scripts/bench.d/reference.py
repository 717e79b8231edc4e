#!/usr/bin/python3
"""This machine's speed against the one issue 14's figures were measured on: YOLOX-nano at 416x320 on
one thread in OpenCV 4.6 DNN (Debian python3-opencv), the issue's 47.0 ms. Shared cloud machines differ
from day to day; a CPU share measured here, times (47.0 / this median), is the share on that machine.
Usage: reference.py MODELS_DIR [ROUNDS]; prints {"yolox_416x320_ms": median} as JSON."""
import json, statistics, sys, time
import cv2
import numpy as np

cv2.setNumThreads(1)
models = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 40
net = cv2.dnn.readNetFromONNX(f"{models}/yolox_nano.onnx")
blob = (np.random.default_rng(0).random((1, 3, 320, 416)) * 255).astype(np.float32)
times = []
for i in range(rounds + 3):
    net.setInput(blob)
    start = time.perf_counter()
    net.forward()
    if i >= 3:  # the first runs allocate
        times.append(1000 * (time.perf_counter() - start))
print(json.dumps({"yolox_416x320_ms": round(statistics.median(times), 1)}))
