"""A watchlist made at one precision, searched with probes made at another: LFW 1:N.

    python benchmarks/cross_precision.py --lfw ../shared/data/lfw [--precisions f32,int8]

A watchlist's templates are made when it is compiled; the probes when the
cameras run. Where the two run at different precisions (the data folder
moved to another CPU, ``precision`` changed, a reduced precision refused after
an upgrade) the scores mix both. For each pair of precisions this prints the
LFW open-set figures with the gallery made at the first and the probes at the
second (raw scores, both variants of the protocol): the threshold at FPIR 1e-2
and 1e-3 and the FNIR there, and the FPIR and FNIR at the probes' precision's
own threshold (its FPIR 1e-3 errata-aware one, measured in the same run).
Templates come from the same cache as ``LFR_PRECISION=<precision> lfr evaluate``:
``precision`` applies to every model that has it, so the detector runs at f32
where it has no such precision.
"""

from __future__ import annotations

import argparse
from itertools import product
from pathlib import Path

import numpy as np

from openlfr.cli.evaluate import progress_bars
from openlfr.config import Settings
from openlfr.evaluation.identification import identify, lfw_open_set
from openlfr.evaluation.lfw import Lfw
from openlfr.evaluation.templates import cache_path, compute_templates, stack
from openlfr.gallery.normalise import RawScore
from openlfr.models.hardware import this_cpu
from openlfr.vision.engine import Engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lfw", type=Path, required=True)
    parser.add_argument("--precisions", default="f32,int8")
    args = parser.parse_args()
    lfw = Lfw(args.lfw)
    split = lfw_open_set(lfw)
    files = [lfw.path(i) for i in split.gallery + split.probes]
    m = len(split.gallery)
    made: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for precision in args.precisions.split(","):
        settings = Settings(precision=precision)
        engine = Engine(settings)
        run = engine.embedder_runtime
        if run.precision != precision:
            parser.error(f"SFace does not run at {precision} here: {run.reason}")
        with progress_bars() as on_progress:
            made[precision] = stack(
                compute_templates(engine, files, cache_path(settings), precision, on_progress)
            )
    print(f"CPU: {this_cpu().describe()}\n")
    print("| gallery | probes | variant | FPIR 1e-2: threshold, FNIR | FPIR 1e-3: threshold, FNIR "
          "| at the probes' own threshold: FPIR, FNIR |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    own: dict[str, float] = {}  # precision -> its threshold at FPIR 1e-3, errata-aware
    for gallery, probes in sorted(product(made, repeat=2), key=lambda pair: pair[0] != pair[1]):
        templates = np.concatenate([made[gallery][0][:m], made[probes][0][m:]])
        found = np.concatenate([made[gallery][1][:m], made[probes][1][m:]])
        result = identify(lfw, split, templates, found, {"raw": RawScore()}, {}, own.get(probes))
        for p in result.operating_points:
            if gallery == probes and p.variant == "errata-aware" and p.fpir_target == 1e-3:
                own[probes] = p.threshold
                result = identify(
                    lfw, split, templates, found, {"raw": RawScore()}, {}, p.threshold
                )
        for figures in result.probe_figures:
            points = [p for p in result.operating_points if p.variant == figures.variant]
            cells = " | ".join(f"{p.threshold:.4f}, {100 * p.fnir:.2f}%" for p in points)
            fpir, fnir = figures.fpir_at_convention or 0, figures.fnir_at_convention or 0
            at_own = f"{fpir:.2e}, {100 * fnir:.2f}%"
            print(f"| {gallery} | {probes} | {figures.variant} | {cells} | {at_own} |")


if __name__ == "__main__":
    main()
