#!/usr/bin/python3
"""The naive baseline: the same two models called from Python (Debian python3-opencv 4.6) on one
thread, the way a first script would do it: full-resolution YuNet, YOLOX at 416 with NumPy decoding.
Usage: naive.py MODELS_DIR IMAGE... ; prints images/s as JSON."""
import json, sys, time
import cv2
import numpy as np

cv2.setNumThreads(int(__import__("os").environ.get("NT","1")))
models, images = sys.argv[1], sys.argv[2:]
face = cv2.FaceDetectorYN.create(f"{models}/face_detection_yunet_2022mar.onnx", "", (320, 320), 0.8, 0.3, 5000)
net = cv2.dnn.readNetFromONNX(f"{models}/yolox_nano.onnx")
grids, strides = [], []
for s in (8, 16, 32):
    n = 416 // s
    gy, gx = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    grids.append(np.stack((gx, gy), 2).reshape(-1, 2)); strides.append(np.full((n * n, 1), s))
grids, strides = np.concatenate(grids), np.concatenate(strides)

def analyze(path):
    img = cv2.imread(path)
    face.setInputSize((img.shape[1], img.shape[0]))
    _, faces = face.detect(img)
    r = min(416 / img.shape[0], 416 / img.shape[1])
    canvas = np.full((416, 416, 3), 114, np.uint8)
    resized = cv2.resize(img, (int(img.shape[1] * r), int(img.shape[0] * r)))
    canvas[:resized.shape[0], :resized.shape[1]] = resized
    net.setInput(cv2.dnn.blobFromImage(canvas, 1.0, (416, 416), swapRB=False))
    out = net.forward()[0]
    out[:, :2] = (out[:, :2] + grids) * strides
    out[:, 2:4] = np.exp(out[:, 2:4]) * strides
    scores = out[:, 4:5] * out[:, 5:]
    cls = scores.argmax(1); conf = scores.max(1)
    keep = conf > 0.3
    boxes = out[keep, :4]; boxes[:, :2] -= boxes[:, 2:] / 2; boxes /= r
    idx = cv2.dnn.NMSBoxes(boxes.tolist(), conf[keep].tolist(), 0.3, 0.45)
    return (0 if faces is None else len(faces)), len(idx)

analyze(images[0])  # warm-up
start = time.perf_counter()
for path in images:
    analyze(path)
elapsed = time.perf_counter() - start
print(json.dumps({"images": len(images), "seconds": elapsed, "images_per_second": len(images) / elapsed}))
