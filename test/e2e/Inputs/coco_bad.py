"""Writes broken copies of a COCO annotation file (data-coco.test):
python coco_bad.py GOOD.json OUTDIR. Each copy sits next to GOOD.json's
images (OUTDIR must be GOOD.json's directory) and breaks one thing."""
import copy
import json
import os
import sys

good_path, out = sys.argv[1], sys.argv[2]
with open(good_path) as f:
    text = f.read()
good = json.loads(text)


def write(name, d):
    with open(os.path.join(out, name), "w") as f:
        json.dump(d, f)


def broken(edit):
    d = copy.deepcopy(good)
    edit(d)
    return d


with open(os.path.join(out, "malformed.json"), "w") as f:
    f.write(text[:200])
write("missing-image.json", broken(
    lambda d: d["images"][3].update(file_name="val/nothing.png")))
write("category.json", broken(
    lambda d: d["annotations"][5].update(category_id=11)))
write("outside.json", broken(
    lambda d: d["annotations"][2].update(bbox=[90.0, 10.0, 20.0, 5.0])))
write("negative.json", broken(
    lambda d: d["annotations"][1].update(bbox=[10.0, 10.0, -2.0, 5.0])))
write("image-id.json", broken(
    lambda d: d["annotations"][4].update(image_id=9999)))
write("bbox-type.json", broken(
    lambda d: d["annotations"][0].update(bbox="10 10 5 5")))
write("no-images.json", broken(lambda d: d.pop("images")))
write("width.json", broken(lambda d: d["images"][1].update(width="96")))
write("duplicate.json", broken(lambda d: d["images"][2].update(id=1)))
write("size.json", broken(lambda d: d["images"][0].update(width=100)))
write("list.json", [])
