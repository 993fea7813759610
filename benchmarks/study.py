"""The identification study (LFW + UTKFace strangers) for several pipelines, one protocol.

    python benchmarks/study.py --data ../shared/data [--pipelines openlfr,zoo0.6,arcface_mbf]
                               [--sizes 1680,10000] [--referee FILE] [--json FILE]

Each pipeline's templates of LFW's gallery and mated probes and of both UTKFace
folders go through ``openlfr.evaluation.study.run_study``, the code behind
``lfr evaluate identification --strangers``: same watchlists, same strangers,
same folds. The referee that sets aside strangers who are watchlisted people
is ArcFace-MBF for the SFace pipelines, and openlfr's default engine for
ArcFace-MBF itself (no model referees its own scores); ``--referee FILE``
makes a third model (a bring-your-own ArcFace-style ONNX file) the referee
of every pipeline, so that all are judged on the same strangers. Speed is faces per
second over 1,000 LFW images, best of three passes (benchmarks/engine.py).

- openlfr: the default engine (CenterFace + SFace at the precision chosen here).
- zoo0.6: OpenCV Zoo's demo, YuNet at score 0.6 + SFace as shipped, OpenCV DNN.
- arcface_mbf: the default detector + InsightFace's ArcFace MobileFaceNet
  (non-commercial, installed with ``lfr models install arcface_mbf --accept-licence``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np
from engine import (
    THREADS,
    Pipeline,
    cached_templates,
    faces_per_second,
    opencv_zoo_pipeline,
    openlfr_pipeline,
    shipped_files,
)

from openlfr.config import Settings
from openlfr.evaluation.lfw import Lfw
from openlfr.evaluation.people import lfw_people
from openlfr.evaluation.strangers import Templates
from openlfr.evaluation.study import (
    Data,
    Judge,
    Study,
    judge_of,
    run_study,
    study_data,
    templates_of,
)
from openlfr.evaluation.templates import cache_path, stack
from openlfr.gallery.thresholds import default_threshold, measured_threshold
from openlfr.models.hardware import this_cpu
from openlfr.vision.engine import Engine

SPEED_IMAGES = 1000


def templates_by(
    pipeline: Pipeline, data: Data, cache: Path
) -> tuple[Templates, Templates, Templates]:
    """``pipeline``'s templates of the LFW gallery, the mated probes and the pool."""
    files = [i.path for i in data.gallery + data.mated]
    lfw = Templates(*stack(cached_templates(pipeline, files, cache)))
    pool = Templates(*stack(cached_templates(pipeline, [i.path for i in data.pool], cache)))
    m = len(data.gallery)
    return lfw.take(np.arange(m)), lfw.take(np.arange(m, len(lfw))), pool


def row(name: str, speed: float, study: Study) -> str:
    """One line of the markdown table."""
    points = {(p.counting, p.fpir_target): p for p in study.operating_points}
    kept, raw = points["overlap set aside", 1e-3], points["as measured", 1e-3]
    return (
        f"| {name} | {speed:.0f} | {study.watchlist_size:,} | {study.strangers:,} "
        f"({study.strangers_set_aside} set aside) | {kept.threshold:.4f} | {100 * kept.fnir:.1f}% "
        f"| {raw.threshold:.4f} | {100 * raw.fnir:.1f}% | "
        f"{100 * study.rank1_identification_rate:.1f}% |"
    )


def by_group(name: str, study: Study) -> list[str]:
    """Markdown rows: FPIR by race and sex, FNIR by sex, at the recommended threshold."""
    advice = study.recommendation
    if advice is None:
        return []
    rows = []
    for c in advice.groups:
        if c.attribute == "sex and race":
            continue
        for r in c.rates:
            p = " (too small to test)" if r.too_small else (" *" if r.significant else "")
            rows.append(
                f"| {name} | {study.watchlist_size:,} | {c.metric} by {c.attribute} | "
                f"{r.group} | {r.units:,} | {r.errors} / {r.trials:,} | "
                f"{r.rate:.2e} ({r.low:.2e} to {r.high:.2e}){p} |"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--pipelines", default="openlfr,zoo0.6,arcface_mbf")
    parser.add_argument("--sizes", default="1680,10000")
    parser.add_argument(
        "--referee", type=Path, help="an ArcFace-style ONNX file to referee every pipeline"
    )
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args()
    settings = Settings(threads=THREADS)
    data = study_data(
        lfw_people(Lfw(args.data / "lfw")),
        [args.data / "utkface_subset", args.data / "utkface_distractors"],
    )
    cache = settings.data_dir / "cache" / "benchmark"
    sizes = [int(s) for s in args.sizes.split(",")]
    arcface = settings.model_copy(update={"embedder": "arcface_mbf"})
    speed_files = [i.path for i in (data.gallery + data.mated)][::9][:SPEED_IMAGES]
    lines, results, groups = [], [], []
    with tempfile.TemporaryDirectory() as work:
        yunet, sface = shipped_files(Path(work))
        makers: dict[str, Callable[[], Pipeline]] = {
            "openlfr": lambda: openlfr_pipeline("openlfr", settings),
            "zoo0.6": lambda: opencv_zoo_pipeline(0.6, yunet, sface),
            "arcface_mbf": lambda: openlfr_pipeline("openlfr with arcface_mbf", arcface),
        }
        referees = {"openlfr": "arcface_mbf", "zoo0.6": "arcface_mbf", "arcface_mbf": "openlfr"}
        engines = {"openlfr": Engine(settings), "arcface_mbf": Engine(arcface)}
        if args.referee is not None:  # one referee for every pipeline: the same strangers kept
            custom = {"embedder": "custom", "embedder_path": args.referee}
            engines["referee"] = Engine(settings.model_copy(update=custom))
            referees = dict.fromkeys(referees, "referee")
        made: dict[str, tuple[Templates, Templates, Templates]] = {}

        def templates(name: str) -> tuple[Templates, Templates, Templates]:
            """openlfr's through its template cache (as `lfr evaluate` makes them), the
            others through the benchmark's."""
            if name not in made:
                made[name] = (
                    templates_of(engines[name], data, cache_path(settings), None)
                    if name in engines
                    else templates_by(makers[name](), data, cache)
                )
            return made[name]

        judges: dict[str, Judge] = {}

        def judge(name: str) -> Judge:
            """The referee ``name``, its threshold set once for every pipeline and size."""
            if name not in judges:
                judges[name] = judge_of(data, name, templates(name))
            return judges[name]

        for name in args.pipelines.split(","):
            pipeline = makers[name]()
            speed = faces_per_second(pipeline, speed_files)
            # The threshold measured for each pipeline's SFace precision; none is for ArcFace-MBF.
            threshold = {
                "openlfr": default_threshold(
                    settings, engines["openlfr"].embedder_runtime.precision
                ),
                "zoo0.6": measured_threshold("sface", "f32"),
            }.get(name)
            for size in sizes:
                study = run_study(
                    data, {"pipeline": pipeline.name}, templates(name), size, threshold,
                    judge(referees[name]), target_fpir=1e-3,
                )  # fmt: skip
                lines.append(row(pipeline.name, speed, study))
                groups.extend(by_group(pipeline.name, study))
                results.append({"speed": speed, **asdict(study)})
                print(lines[-1], flush=True)
    print(f"\n{time.strftime('%Y-%m-%d')}, {THREADS} threads, CPU: {this_cpu().describe()}\n")
    print(
        "| pipeline | faces/s | watchlist | strangers | threshold at FPIR 1e-3, overlap set "
        "aside | FNIR | threshold at FPIR 1e-3, as measured | FNIR | rank-1 |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(lines))
    print("\nBy group at each pipeline's threshold for FPIR 1e-3 (overlap set aside):\n")
    print(
        "| pipeline | watchlist | metric | group | units | errors / trials | rate (95% interval) |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(groups))
    if args.json:
        record = {
            "cpu": this_cpu().as_dict(),
            "date": time.strftime("%Y-%m-%d"),
            "results": results,
        }
        args.json.write_text(json.dumps(record | {"results": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
