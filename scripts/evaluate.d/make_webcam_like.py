#!/usr/bin/env python3
"""Builds the webcam-like dev set from ../shared/assets/eval-dev (rules in WEBCAM-LIKE.md, next to this file).

Usage: make_webcam_like.py EVAL_DEV OUT [--seed N]
Writes OUT/faces, OUT/objects and OUT/headpose, each with images/ and labels.csv (a `group` column per row),
laid out like eval-dev so scripts/evaluate reads them. Deterministic: the same inputs and seed give the same
bytes. Needs Pillow and numpy only.
"""
import csv, os, random, sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

FRAME_W, FRAME_H = 640, 480


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def boxes(text):
    return [tuple(float(v) for v in part.split(",")) for part in text.split(";") if part.strip()]


def frame_around(image, face, face_height_fraction, centre_out):
    """The 640x480 frame in which `face` (x, y, w, h in `image`) is face_height_fraction of the frame height
    and its centre lands at centre_out; outside the photo the edge pixels are repeated (never mirrored, so no
    second face can appear)."""
    fx, fy, fw, fh = face
    k = face_height_fraction * FRAME_H / fh
    src_w, src_h = FRAME_W / k, FRAME_H / k
    x0 = fx + fw / 2 - centre_out[0] / k
    y0 = fy + fh / 2 - centre_out[1] / k
    pixels = np.asarray(image.convert("RGB"))
    # Only the window (plus 3 px for the filter) is cut out and padded.
    ix0, iy0 = int(np.floor(x0)) - 3, int(np.floor(y0)) - 3
    ix1, iy1 = int(np.ceil(x0 + src_w)) + 3, int(np.ceil(y0 + src_h)) + 3
    h, w = pixels.shape[:2]
    cx0, cy0, cx1, cy1 = max(0, ix0), max(0, iy0), min(w, ix1), min(h, iy1)
    if cx1 <= cx0 or cy1 <= cy0:
        raise ValueError("window misses the photo")
    window = np.pad(pixels[cy0:cy1, cx0:cx1], ((cy0 - iy0, iy1 - cy1), (cx0 - ix0, ix1 - cx1), (0, 0)), mode="edge")
    box = (x0 - ix0, y0 - iy0, x0 - ix0 + src_w, y0 - iy0 + src_h)
    out = Image.fromarray(window).resize((FRAME_W, FRAME_H), Image.LANCZOS, box=box)
    face_out = ((fx - x0) * k, (fy - y0) * k, fw * k, fh * k)
    return out, face_out


def darkened(frame, rng):
    """A dark room: gain so the mean luma lands at 35-60 (above the blocked cut of 25), plus sensor noise."""
    a = np.asarray(frame).astype(np.float32)
    target = rng.uniform(35, 60)
    gain = target / max(a.mean(), 1)
    a = a * gain + np.random.default_rng(rng.randrange(1 << 30)).normal(0, 3, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def backlit(frame, face, rng):
    """A bright window behind the candidate: the subject underexposed (x0.35-0.55) and a near-white window
    covering the frame's upper background on one side, kept off the face box; soft 25 px edge."""
    a = np.asarray(frame).astype(np.float32) * rng.uniform(0.35, 0.55)
    fx, fy, fw, fh = face
    mask = Image.new("L", (FRAME_W, FRAME_H), 0)
    draw = ImageDraw.Draw(mask)
    if fx + fw / 2 > FRAME_W / 2:  # face on the right: window on the left
        draw.rectangle((0, 0, max(0, fx - 10), FRAME_H * 0.75), fill=255)
    else:
        draw.rectangle((min(FRAME_W, fx + fw + 10), 0, FRAME_W, FRAME_H * 0.75), fill=255)
    draw.rectangle((0, 0, FRAME_W, max(0, fy - 10)), fill=255)
    m = np.asarray(mask.filter(ImageFilter.GaussianBlur(25))).astype(np.float32)[..., None] / 255
    window = rng.uniform(235, 255)
    a = a * (1 - m) + window * m
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def occluded(frame, face, rng):
    """Part of the face hidden: a hand (skin-toned ellipse in the face's own median colour) over the mouth/chin
    or one cheek, or hair (near-black ellipse) over one eye side; 25-40 % of the face box covered."""
    fx, fy, fw, fh = face
    a = np.asarray(frame)
    x0, y0 = int(max(0, fx + fw * 0.3)), int(max(0, fy + fh * 0.3))
    x1, y1 = int(min(FRAME_W, fx + fw * 0.7)), int(min(FRAME_H, fy + fh * 0.7))
    skin = tuple(int(v) for v in np.median(a[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)].reshape(-1, 3), axis=0))
    out = frame.copy()
    draw = ImageDraw.Draw(out)
    kind = rng.choice(["hand_mouth", "hand_cheek", "hair"])
    if kind == "hand_mouth":
        draw.ellipse((fx + fw * 0.05, fy + fh * 0.62, fx + fw * 0.95, fy + fh * 1.15), fill=skin)
    elif kind == "hand_cheek":
        left = rng.random() < 0.5
        draw.ellipse((fx - fw * 0.15 if left else fx + fw * 0.6, fy + fh * 0.35,
                      fx + fw * 0.4 if left else fx + fw * 1.15, fy + fh * 1.05), fill=skin)
    else:
        left = rng.random() < 0.5
        draw.ellipse((fx - fw * 0.3 if left else fx + fw * 0.62, fy - fh * 0.4,
                      fx + fw * 0.38 if left else fx + fw * 1.3, fy + fh * 0.75), fill=(18, 14, 12))
    return out, kind


def face_patch(image, face, margin):
    fx, fy, fw, fh = face
    return image.convert("RGB").crop((int(fx - fw * margin), int(fy - fh * margin),
                                      int(fx + fw * (1 + margin)), int(fy + fh * (1 + margin))))


def main():
    args = sys.argv[1:]
    seed = 11
    if "--seed" in args:
        i = args.index("--seed"); seed = int(args[i + 1]); del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    dev, out = args
    rng = random.Random(seed)
    faces_rows = read_rows(os.path.join(dev, "faces", "labels.csv"))
    singles = [r for r in faces_rows if r["face_count"] == "1" and r["face_boxes_xywh"]]
    # Sources big enough to stay a face after resampling (every labelled one-face photo).
    subjects = []
    for r in singles:
        image = Image.open(os.path.join(dev, "faces", r["image"]))
        image.load()
        subjects.append((os.path.basename(r["image"]).rsplit(".", 1)[0], image, boxes(r["face_boxes_xywh"])[0],
                         r["face_attrs"]))

    for sub in ("faces", "objects", "headpose"):
        os.makedirs(os.path.join(out, sub, "images"), exist_ok=True)

    face_labels = []

    def save_face(name, image, count, group, rule):
        path = f"images/{name}.jpg"
        image.save(os.path.join(out, "faces", path), quality=92)
        face_labels.append({"image": path, "face_count": count, "group": group, "rule": rule})

    def webcam_frame(subject, r):
        name, image, face, _ = subject
        frac = r.uniform(0.22, 0.35)
        centre = (r.uniform(240, 400), r.uniform(160, 230))
        return frame_around(image, face, frac, centre)

    for i, subject in enumerate(subjects):
        name, image, face, attrs = subject
        r = random.Random(rng.randrange(1 << 30))
        frame, f = webcam_frame(subject, r)
        save_face(f"webcam_{name}", frame, 1, "webcam_scale", f"face height {f[3] / FRAME_H:.2f}")
        # close-up: the face box is 50-80 % of the frame height, fully inside
        frac = r.uniform(0.5, 0.8)
        centre = (r.uniform(280, 360), r.uniform(FRAME_H * frac / 2 + 5, FRAME_H - FRAME_H * frac / 2 - 5))
        frame, f = frame_around(image, face, frac, centre)
        save_face(f"closeup_{name}", frame, 1, "closeup", f"face height {frac:.2f}")
        # edge-cut: face height 35-60 %, 20-40 % of the box beyond the top, left or right edge
        frac = r.uniform(0.35, 0.6)
        fh = frac * FRAME_H; fw = fh * face[2] / face[3]
        cut = r.uniform(0.2, 0.4)
        side = ["top", "left", "right"][i % 3]
        if side == "top":
            centre = (r.uniform(260, 380), fh / 2 - cut * fh)
        elif side == "left":
            centre = (fw / 2 - cut * fw, r.uniform(fh / 2, FRAME_H - fh / 2))
        else:
            centre = (FRAME_W - fw / 2 + cut * fw, r.uniform(fh / 2, FRAME_H - fh / 2))
        frame, f = frame_around(image, face, frac, centre)
        save_face(f"edgecut_{name}", frame, 1, "edge_cut", f"{side} edge, {cut:.2f} of the box outside, face height {frac:.2f}")
        # dark room / back light at webcam scale
        frame, f = webcam_frame(subject, r)
        save_face(f"dark_{name}", darkened(frame, r), 1, "dark", "mean luma 35-60 + noise sigma 3")
        frame, f = webcam_frame(subject, r)
        save_face(f"backlit_{name}", backlit(frame, f, r), 1, "backlit", "subject x0.35-0.55, window 235-255")
        # partly hidden (masked sources are already partly hidden; they get the occluder too)
        frame, f = webcam_frame(subject, r)
        hidden, kind = occluded(frame, f, r)
        save_face(f"occluded_{name}", hidden, 1, "occluded", kind)
        # a second face at the side edge (a person leaning in), 25-40 % of its width cut off
        other = subjects[(i + 7) % len(subjects)]
        frame, f = webcam_frame(subject, r)
        patch = face_patch(other[1], other[2], 0.25)
        ph = int(r.uniform(0.3, 0.45) * FRAME_H)
        patch = patch.resize((max(1, int(patch.width * ph / patch.height)), ph), Image.LANCZOS)
        cutw = int(patch.width * r.uniform(0.25, 0.4))
        left_side = f[0] + f[2] / 2 > FRAME_W / 2
        x = -cutw if left_side else FRAME_W - patch.width + cutw
        y = int(r.uniform(40, FRAME_H - ph - 40))
        frame.paste(patch, (x, y))
        save_face(f"secondedge_{name}", frame, 2, "second_face_edge", f"second face {ph}px high, {cutw}px cut")

    write_csv(os.path.join(out, "faces", "labels.csv"), ["image", "face_count", "group", "rule"], face_labels)

    # Phones: crops of labelled phones (label_quality ok, >= 20 px) pasted small in the lower part of a
    # webcam-scale frame; the same frame without a phone is the negative.
    object_rows = read_rows(os.path.join(dev, "objects", "labels.csv"))
    phones = []
    for row in object_rows:
        if row["label_quality"] != "ok" or row["cell_phone_count"] in ("", "0"):
            continue
        image = Image.open(os.path.join(dev, "objects", row["image"])).convert("RGB")
        for (x, y, w, h) in boxes(row["cell_phone_boxes_xywh"]):
            if min(w, h) >= 20:
                phones.append(image.crop((int(x), int(y), int(x + w), int(y + h))))
    object_labels = []
    for i, subject in enumerate(subjects):
        r = random.Random(rng.randrange(1 << 30))
        name = subject[0]
        frame, f = webcam_frame(subject, r)
        path = f"images/nophone_{name}.jpg"
        frame.save(os.path.join(out, "objects", path), quality=92)
        object_labels.append({"image": path, "cell_phone_count": 0, "label_quality": "ok", "group": "no_phone",
                              "rule": "webcam-scale frame"})
        phone = phones[i % len(phones)]
        long_side = r.uniform(0.09, 0.16) * FRAME_W
        k = long_side / max(phone.size)
        small = phone.resize((max(1, int(phone.width * k)), max(1, int(phone.height * k))), Image.LANCZOS)
        if r.random() < 0.5:  # held low in the hand, below and beside the face
            x = int(min(FRAME_W - small.width, max(0, f[0] + f[2] / 2 + r.uniform(-1.5, 1.5) * f[2] - small.width / 2)))
            y = int(r.uniform(FRAME_H * 0.62, FRAME_H - small.height * 0.8))
            group = "phone_low_hand"
        else:  # flat at the side edge of the frame, partly outside
            x = int(-small.width * 0.2) if r.random() < 0.5 else int(FRAME_W - small.width * 0.8)
            y = int(r.uniform(FRAME_H * 0.55, FRAME_H - small.height))
            group = "phone_edge"
        frame.paste(small, (x, y))
        path = f"images/phone_{name}.jpg"
        frame.save(os.path.join(out, "objects", path), quality=92)
        object_labels.append({"image": path, "cell_phone_count": 1, "label_quality": "ok", "group": group,
                              "rule": f"phone long side {long_side:.0f}px at {x},{y}"})
    write_csv(os.path.join(out, "objects", "labels.csv"), ["image", "cell_phone_count", "label_quality", "group", "rule"],
              object_labels)

    # Head pose: the dev head crops (50x50) enlarged 3-3.6x onto a blurred person-free COCO background, at
    # webcam scale (the head 150-180 px high), centred in the upper half.
    backgrounds = [Image.open(os.path.join(dev, "objects", row["image"])).convert("RGB")
                   for row in object_rows if row["scenario"] == "no_person_no_phone"][:12]
    pose_rows = read_rows(os.path.join(dev, "headpose", "labels.csv"))
    pose_labels = []
    for i, row in enumerate(pose_rows):
        r = random.Random(rng.randrange(1 << 30))
        bg = backgrounds[i % len(backgrounds)].resize((FRAME_W, FRAME_H), Image.BILINEAR).filter(ImageFilter.GaussianBlur(6))
        head = Image.open(os.path.join(dev, "headpose", row["image"])).convert("RGB")
        side = int(r.uniform(150, 180))
        head = head.resize((side, side), Image.BICUBIC)
        bg.paste(head, (int(r.uniform(200, 440 - side + 100)), int(r.uniform(60, 140))))
        path = f"images/pose_{os.path.basename(row['image']).rsplit('.', 1)[0]}.jpg"
        bg.save(os.path.join(out, "headpose", path), quality=92)
        pose_labels.append({"image": path, "direction": row["direction"], "group": f"pose_{row['direction']}",
                            "rule": f"head {side}px"})
    write_csv(os.path.join(out, "headpose", "labels.csv"), ["image", "direction", "group", "rule"], pose_labels)
    print(f"webcam-like set: {len(face_labels)} face frames, {len(object_labels)} phone frames, {len(pose_labels)} pose frames in {out}")


def write_csv(path, columns, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
