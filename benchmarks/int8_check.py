"""The int8 SFace on this CPU against exact integer arithmetic, with 7-bit and 8-bit weights.

    python benchmarks/int8_check.py --lfw ../shared/data/lfw [--faces 400] [--identification]

A CPU with VNNI (AVX512_VNNI, AVX_VNNI, AMX) adds an int8 convolution's
products in 32 bits, exactly; one without adds pairs of them in 16 bits first,
which saturates unless the weights fit in 7 bits. The exact result is what
ONNX Runtime computes with graph optimisation off: each QuantizeLinear and
DequantizeLinear runs as written and the convolutions run in float on the
dequantised values, the arithmetic a VNNI kernel does in integers (up to
float rounding). So on any CPU this prints, for the 8-bit and the shipped
7-bit build, on aligned LFW faces (one per person): the cosine of OpenVINO's
int8 templates here to the float model's, of the exact templates to the float
model's (what a VNNI CPU gives), and of OpenVINO's here to the exact ones
(near 1: this CPU computes what every CPU computes). With ``--identification``
it also runs all of LFW through the default detector and each build, exact
and here: 10-fold verification accuracy, and 1:N FNIR at FPIR 1e-2 (as
specified) and 1e-3 (errata-aware), raw scores (exact arithmetic is slow:
about 15 minutes a build on 2 threads).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import onnx

from openlfr.cli.evaluate import progress_bars
from openlfr.config import Settings
from openlfr.evaluation.identification import identify, lfw_open_set
from openlfr.evaluation.lfw import Lfw
from openlfr.evaluation.templates import compute_templates, stack
from openlfr.evaluation.verification import lfw_pairs, verify
from openlfr.gallery.normalise import RawScore
from openlfr.models.hardware import this_cpu
from openlfr.models.provision import installed_path
from openlfr.models.quantise import calibration_file, load_ranges, prepare, quantise
from openlfr.models.runtime import ExactRunner, OpenVinoRunner, Runner
from openlfr.vision.align import align
from openlfr.vision.embed import ArcFaceEmbedder, build_embedder
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from openlfr.vision.models import load_detector

THREADS = 2


def lfw_chips(settings: Settings, lfw: Path, count: int) -> np.ndarray:
    """Aligned chips of the first image of ``count`` people spread over LFW."""
    people = sorted((lfw / "images").iterdir())
    detector = load_detector(settings)
    chips = []
    for person in people[:: max(1, len(people) // count)][:count]:
        image = read_image(sorted(person.glob("*.jpg"))[0], 10**7, 10**7)
        found = detector.detect(image)
        if len(found):
            chips.append(align(image, found.landmarks[0]))
    return np.stack(chips)


def cosine_line(a: np.ndarray, b: np.ndarray) -> str:
    c = (a * b).sum(axis=1)
    return f"{c.mean():.4f} / {c.min():.4f}"


def lfw_figures(engine: Engine, lfw: Lfw, label: str) -> str:
    """LFW verification and 1:N figures of ``engine``'s templates, as table cells."""
    split = lfw_open_set(lfw)
    everything = split.gallery + split.probes
    with progress_bars() as on_progress:
        found = compute_templates(
            engine, [lfw.path(i) for i in everything], None, label, on_progress
        )
    templates = dict(zip(everything, found, strict=True))
    pairs, pair_images = lfw_pairs(lfw)
    verified = verify(pairs, {i: templates[i] for i in pair_images}, {})
    matrix, mask = stack(found)
    result = identify(lfw, split, matrix, mask, {"raw": RawScore()}, {}, None)
    fnir = {(p.variant, p.fpir_target): p.fnir for p in result.operating_points}
    return (
        f"{100 * verified.mean_accuracy:.2f} ± {100 * verified.std_accuracy:.2f}% | "
        f"{100 * fnir['as specified', 0.01]:.2f}% | {100 * fnir['errata-aware', 0.001]:.2f}% | "
        f"{100 * result.probe_figures[0].rank1_identification_rate:.2f}%"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lfw", type=Path, required=True)
    parser.add_argument("--faces", type=int, default=400)
    parser.add_argument("--identification", action="store_true")
    args = parser.parse_args()
    settings = Settings(threads=THREADS, precision="f32")
    chips = lfw_chips(settings, args.lfw, args.faces)

    def embedder(runner: Runner) -> ArcFaceEmbedder:
        return build_embedder(settings, runner)

    fixed = installed_path(settings.models_dir, "sface")
    reference = embedder(OpenVinoRunner(fixed, THREADS, "f32")).infer(chips)
    print(f"CPU: {this_cpu().describe()}, {THREADS} threads, {len(chips)} LFW faces\n")
    print("| weights | int8 here vs f32 (mean / min cosine) | exact vs f32 | here vs exact |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        eight = Path(work) / "sface.int8-8bit.onnx"
        model = prepare(onnx.load(str(fixed)))
        onnx.save(quantise(model, load_ranges(calibration_file("sface")), 127), str(eight))
        builds = {
            "8-bit": eight,
            "7-bit (shipped)": installed_path(settings.models_dir, "sface", "int8"),
        }
        for label, path in builds.items():
            here = embedder(OpenVinoRunner(path, THREADS, "int8")).infer(chips)
            exact = embedder(ExactRunner(path, THREADS)).infer(chips)
            print(f"| {label} | {cosine_line(here, reference)} | {cosine_line(exact, reference)} | "
                  f"{cosine_line(here, exact)} |")  # fmt: skip
        if not args.identification:
            return
        print(
            "\n| weights | run | LFW 10-fold | FNIR at FPIR 1e-2 | at 1e-3, errata-aware | rank-1 |"
        )
        print("|---|---|---|---|---|---|")
        for label, path in builds.items():
            for run, runner in (("exact", ExactRunner(path, THREADS)),
                                ("here", OpenVinoRunner(path, THREADS, "int8"))):  # fmt: skip
                engine = Engine(settings)
                engine.embedder = embedder(runner)
                cells = lfw_figures(engine, Lfw(args.lfw), f"{label} {run}")
                print(f"| {label} | {run} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
