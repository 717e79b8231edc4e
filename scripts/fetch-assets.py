#!/usr/bin/env python3
"""Obtain the files a manifest lists: copy from a local asset folder or download the pinned source,
then verify sha256. Usage: fetch-assets.py MANIFEST DEST_DIR SOURCE_DIR [SOURCE_DIR...]"""
import hashlib, json, os, shutil, sys, tempfile, urllib.request

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

def main():
    manifest_path, dest, sources = sys.argv[1], sys.argv[2], [s for s in sys.argv[3:] if s]
    manifest = json.load(open(manifest_path))
    os.makedirs(dest, exist_ok=True)
    failures = 0
    for entry in manifest["files"]:
        name, want = entry["file"], entry["sha256"]
        target = os.path.join(dest, name)
        if os.path.exists(target) and sha256(target) == want:
            continue
        fd, tmp = tempfile.mkstemp(dir=dest, prefix="." + name)
        os.close(fd)
        origin = None
        try:
            for folder in sources:
                candidate = os.path.join(folder, name)
                if os.path.isfile(candidate):
                    shutil.copyfile(candidate, tmp)
                    origin = candidate
                    break
            if origin is None:
                print(f"setup: downloading {name} from {entry['source']}", file=sys.stderr)
                with urllib.request.urlopen(entry["source"], timeout=60) as response, open(tmp, "wb") as out:
                    shutil.copyfileobj(response, out)
                origin = entry["source"]
            got = sha256(tmp)
            if got != want:
                raise RuntimeError(f"sha256 mismatch for {name} from {origin}: expected {want}, got {got}")
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
            print(f"setup: {name} <- {origin}", file=sys.stderr)
        except Exception as error:  # one clear line per file, keep going
            failures += 1
            print(f"setup: cannot obtain {name}: {error}", file=sys.stderr)
            if os.path.exists(tmp):
                os.unlink(tmp)
    sys.exit(1 if failures else 0)

if __name__ == "__main__":
    main()
