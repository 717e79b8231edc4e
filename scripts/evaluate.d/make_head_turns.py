#!/usr/bin/env python3
"""Renders webcam-like frames of a frontal face turned by KNOWN yaw and pitch (rules in WEBCAM-LIKE.md).

Usage: make_head_turns.py SUBJECTS.jsonl OUT [--seed N] [--angles YAW:PITCH,...]
SUBJECTS.jsonl: one {"name", "photo", "landmarks": [[x, y] x 5]} per line (YuNet's five points in the photo:
right eye, left eye, nose tip, right and left mouth corner, as `proctor analyze --format jsonl` prints them).
Writes OUT/images/*.jpg and OUT/labels.csv (image, yaw_deg, pitch_deg, subject, group, rule). Deterministic:
the same inputs and seed give the same bytes. Needs Pillow and numpy only.

The photo is taken as the frontal texture of a generic 3-D head (a height field: an ellipsoid face with a
nose, eye sockets and a chin, anthropometric sizes below), placed 2-D onto the photo by a similarity fit of the
five landmarks, rotated about the neck by the known angles and projected through a pinhole camera into a
640x480 frame. Yaw > 0: the subject turns to their own left (the nose moves to the image's right); pitch > 0:
the subject looks up; the same convention as proctor's HeadPose.
"""
import csv, json, math, os, random, sys

import numpy as np
from PIL import Image, ImageFilter

FRAME_W, FRAME_H = 640, 480
FOCAL = 600.0  # px: a 56 degree horizontal field of view, a common laptop webcam

# Head model, millimetres, origin at the nose tip: x to the image's right, y down, z toward the camera.
# Landmarks where a frontal face shows them (interpupillary 63 mm, mouth 50 mm wide, 33 mm under the nose tip).
MODEL_2D = np.array([(-31.5, -33.0), (31.5, -33.0), (0.0, 0.0), (-25.0, 33.0), (25.0, 33.0)])
HEAD_CENTRE_Y = -20.0  # the face ellipse's centre (between the eyes and the nose)
HEAD_A, HEAD_B, HEAD_DEPTH = 78.0, 135.0, 70.0  # half width, half height of the curvature, front bulge
NOSE_TIP, NOSE_WIDTH = 22.0, 9.0  # the nose stands 22 mm off the face surface at its tip
FACE_TOP, FACE_BOTTOM = -120.0, 82.0  # hairline to chin
PIVOT = np.array([0.0, 35.0, -95.0])  # the neck joint: behind and below the nose tip


def surface_z(x, y):
    """Height of the face above the pivot plane; the nose tip is z = 0."""
    u, v = x / HEAD_A, (y - HEAD_CENTRE_Y) / HEAD_B
    base = HEAD_DEPTH * np.sqrt(np.clip(1 - u * u - v * v, 0, 1))
    # Nose: a ridge from the bridge (y = -33, 7 mm high) to the tip (y = 0, full height), gone by y = +10.
    ramp = np.where(y <= 0, np.clip(1 + y / 33.0, 0, 1) * (NOSE_TIP - 7) + 7, NOSE_TIP * np.exp(-(y / 6.0) ** 2))
    ramp = np.where(y < -33, 7 * np.exp(-((y + 33) / 8.0) ** 2), ramp)
    nose = ramp * np.exp(-0.5 * (x / (NOSE_WIDTH * (0.6 + 0.4 * np.clip((y + 33) / 33, 0, 1)))) ** 2)
    sockets = -5 * (np.exp(-((x - 31.5) ** 2 + (y + 33) ** 2) / (2 * 10.0 ** 2))
                    + np.exp(-((x + 31.5) ** 2 + (y + 33) ** 2) / (2 * 10.0 ** 2)))
    chin = 8 * np.exp(-((x / 22.0) ** 2 + ((y - 68) / 12.0) ** 2))
    tip = HEAD_DEPTH * math.sqrt(1 - (HEAD_CENTRE_Y / HEAD_B) ** 2) + NOSE_TIP
    return base + nose + sockets + chin - tip


def rotation(yaw, pitch):
    """Yaw about the vertical axis (nose toward +x for yaw > 0), then pitch (nose toward -y for pitch > 0)."""
    a, b = math.radians(yaw), math.radians(pitch)
    turn = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    nod = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    return nod @ turn


def similarity(src, dst):
    """Scale, rotation and translation mapping src points onto dst (least squares, Umeyama)."""
    ms, md = src.mean(0), dst.mean(0)
    s, d = src - ms, dst - md
    u, sig, vt = np.linalg.svd(d.T @ s / len(src))
    r = u @ vt
    if np.linalg.det(r) < 0:
        u[:, -1] *= -1; r = u @ vt
    scale = sig.sum() / (s ** 2).sum() * len(src)
    return scale * r, md - scale * r @ ms


def bilinear(image, u, v):
    h, w = image.shape[:2]
    u = np.clip(u, 0, w - 1.001); v = np.clip(v, 0, h - 1.001)
    x0, y0 = u.astype(int), v.astype(int)
    fx, fy = (u - x0)[:, None], (v - y0)[:, None]
    return (image[y0, x0] * (1 - fx) * (1 - fy) + image[y0, x0 + 1] * fx * (1 - fy)
            + image[y0 + 1, x0] * (1 - fx) * fy + image[y0 + 1, x0 + 1] * fx * fy)


def render(photo, landmarks, yaw, pitch, face_height, nose_at):
    """The 640x480 frame of the subject turned by (yaw, pitch): face_height is the hairline-chin height as a
    fraction of the frame, nose_at the frontal nose tip's position in the frame."""
    pixels = np.asarray(photo.convert("RGB")).astype(np.float32)
    linear, offset = similarity(MODEL_2D, np.asarray(landmarks, dtype=float))  # model mm -> photo px
    k = face_height * FRAME_H / (FACE_BOTTOM - FACE_TOP)  # frame px per mm at the nose tip's depth
    distance = FOCAL / k
    nose_cam = np.array([(nose_at[0] - FRAME_W / 2) / k, (nose_at[1] - FRAME_H / 2) / k, distance])

    def project(points):  # head-model points (mm, z toward the camera) -> frame px, depth
        cam = nose_cam + points * np.array([1, 1, -1])
        return FOCAL * cam[:, 0] / cam[:, 2] + FRAME_W / 2, FOCAL * cam[:, 1] / cam[:, 2] + FRAME_H / 2, cam[:, 2]

    # The frontal frame: the photo placed by the landmark fit (an affine map from frame px to photo px).
    to_mm = np.array([[1 / k, 0, -FRAME_W / 2 / k - nose_cam[0]], [0, 1 / k, -FRAME_H / 2 / k - nose_cam[1]]])
    to_photo = np.hstack([linear, offset[:, None]]) @ np.vstack([to_mm, [0, 0, 1]])
    # Beyond the photo its edge pixels repeat (as in make_webcam_like.py): pad by as much as the frame reaches out.
    corners = to_photo @ np.array([[0, FRAME_W, 0, FRAME_W], [0, 0, FRAME_H, FRAME_H], [1, 1, 1, 1]])
    w, h = photo.size
    pad = int(min(4000, max(0, -corners.min(), corners[0].max() - w, corners[1].max() - h))) + 2
    padded = Image.fromarray(np.pad(np.asarray(photo.convert("RGB")), ((pad, pad), (pad, pad), (0, 0)), mode="edge"))
    to_photo[:, 2] += pad
    frontal_image = padded.transform((FRAME_W, FRAME_H), Image.Transform.AFFINE, tuple(to_photo.ravel()),
                                     Image.Resampling.BILINEAR)
    frontal = np.asarray(frontal_image, np.float32)

    # Dense samples of the face (2 per frame pixel), textured from the frontal frame through the unturned head.
    step = 0.7 / k
    gy, gx = np.mgrid[FACE_TOP:FACE_BOTTOM:step, -HEAD_A:HEAD_A:step]
    gx, gy = gx.ravel(), gy.ravel()
    # The face oval is where the head ellipsoid still faces the camera (its rim would fold onto itself).
    inside = (gx / HEAD_A) ** 2 + ((gy - HEAD_CENTRE_Y) / HEAD_B) ** 2 <= 0.97
    gx, gy = gx[inside], gy[inside]
    points = np.stack([gx, gy, surface_z(gx, gy)], axis=1)
    tu, tv, _ = project(points)
    colour = bilinear(frontal, tu, tv)
    turned = (points - PIVOT) @ rotation(yaw, pitch).T + PIVOT
    u, v, depth = project(turned)

    # Z-buffer: the sample nearest the camera wins each pixel.
    ui, vi = np.round(u).astype(int), np.round(v).astype(int)
    ok = (ui >= 0) & (ui < FRAME_W) & (vi >= 0) & (vi < FRAME_H)
    index = vi[ok] * FRAME_W + ui[ok]
    order = np.lexsort((depth[ok], index))
    first = np.unique(index[order], return_index=True)[1]
    winners = order[first]
    out_index = index[winners]
    face = np.zeros((FRAME_H * FRAME_W, 3), np.float32)
    mask = np.zeros(FRAME_H * FRAME_W, bool)
    face[out_index] = colour[ok][winners]
    mask[out_index] = True
    face, mask = face.reshape(FRAME_H, FRAME_W, 3), mask.reshape(FRAME_H, FRAME_W)
    # Close pinholes left where the turned surface is stretched: a pixel with covered neighbours takes their mean.
    for _ in range(2):
        cover = mask.astype(np.float32)
        padded_c = np.pad(cover, 1); padded_f = np.pad(face * cover[..., None], ((1, 1), (1, 1), (0, 0)))
        count = sum(padded_c[dy:dy + FRAME_H, dx:dx + FRAME_W] for dy in range(3) for dx in range(3))
        total = sum(padded_f[dy:dy + FRAME_H, dx:dx + FRAME_W] for dy in range(3) for dx in range(3))
        fill = (~mask) & (count >= 5)
        face[fill] = total[fill] / count[fill][:, None]
        mask = mask | fill

    # Where the frontal face was and the turned one is not, the frontal features must not show: that area
    # takes a heavily blurred copy of the frame (hair and skin colours without eyes or mouth).
    fu, fv, _ = project(points)
    old = np.zeros((FRAME_H, FRAME_W), np.uint8)
    fi, fj = np.round(fu).astype(int), np.round(fv).astype(int)
    keep = (fi >= 0) & (fi < FRAME_W) & (fj >= 0) & (fj < FRAME_H)
    old[fj[keep], fi[keep]] = 255
    grown = np.asarray(Image.fromarray(old).filter(ImageFilter.BoxBlur(4))) > 0
    old_mask = np.asarray(Image.fromarray((grown * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(4)),
                          np.float32)[..., None] / 255
    blurred = np.asarray(frontal_image.filter(ImageFilter.GaussianBlur(18)), np.float32)
    frame = frontal * (1 - old_mask) + blurred * old_mask
    frame[mask] = face[mask]
    return Image.fromarray(np.clip(frame, 0, 255).astype(np.uint8))


DEFAULT_ANGLES = ([(y, 0) for y in range(-50, 51, 10)] + [(0, p) for p in (-30, -20, -10, 10, 20)]
                  + [(-30, -20), (30, -20)])


def group_of(yaw, pitch):
    if pitch <= -20 and abs(yaw) < 25:
        return "chin_down"
    if abs(yaw) <= 15 and abs(pitch) <= 15:
        return "facing_screen"
    if abs(yaw) >= 25 or pitch <= -20:
        return "looking_away"
    return "between"


def main():
    args = sys.argv[1:]
    seed, angles = 11, DEFAULT_ANGLES
    if "--seed" in args:
        i = args.index("--seed"); seed = int(args[i + 1]); del args[i:i + 2]
    if "--angles" in args:
        i = args.index("--angles")
        angles = [tuple(float(v) for v in pair.split(":")) for pair in args[i + 1].split(",")]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    subjects_path, out = args
    with open(subjects_path) as f:
        subjects = [json.loads(line) for line in f if line.strip()]
    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    rng = random.Random(seed)
    rows = []
    for subject in subjects:
        photo = Image.open(subject["photo"])
        photo.load()
        for yaw, pitch in angles:
            r = random.Random(rng.randrange(1 << 30))
            height = r.uniform(0.38, 0.5)  # hairline to chin: a face box of about 25-33 % of the frame height
            nose_at = (r.uniform(260, 380), r.uniform(200, 250))
            frame = render(photo, subject["landmarks"], yaw, pitch, height, nose_at)
            name = f"turn_{subject['name']}_y{yaw:+03.0f}_p{pitch:+03.0f}.jpg"
            frame.save(os.path.join(out, "images", name), quality=92)
            rows.append({"image": f"images/{name}", "yaw_deg": f"{yaw:g}", "pitch_deg": f"{pitch:g}",
                         "subject": subject["name"], "group": group_of(yaw, pitch),
                         "rule": f"face height {height:.2f}, nose at {nose_at[0]:.0f},{nose_at[1]:.0f}"})
    with open(os.path.join(out, "labels.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["image", "yaw_deg", "pitch_deg", "subject", "group", "rule"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"head turns: {len(rows)} frames of {len(subjects)} subjects in {out}")


if __name__ == "__main__":
    main()
