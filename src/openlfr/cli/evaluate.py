"""``lfr evaluate ...``: accuracy measured with the standard protocols.

The evaluation and vision stack is imported inside each command, so that
every other ``lfr`` command starts without it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from openlfr.cli.common import JsonFlag, current_settings, err, out
from openlfr.config import DetectorName

if TYPE_CHECKING:
    from openlfr.evaluation.detection import DetectionReport
    from openlfr.evaluation.equitability import GroupComparison
    from openlfr.evaluation.identification import IdentificationResult
    from openlfr.evaluation.study import Study
    from openlfr.evaluation.templates import OnProgress
    from openlfr.evaluation.verification import VerificationResult

app = typer.Typer(no_args_is_help=True, help="Measure accuracy on a data set.")


@contextmanager
def progress_bars(counted: bool = True, transient: bool = False) -> Iterator[OnProgress]:
    """An ``on_progress`` for the evaluation code that draws Rich bars while the block runs,
    one per label it reports (cohort, then LFW, say). ``counted``: "done of total" and time
    left, as for templates; else Rich's default columns."""
    columns: tuple[ProgressColumn, ...] = (
        (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
         TimeRemainingColumn())
        if counted else ()
    )  # fmt: skip
    with Progress(*columns, transient=transient, console=err) as bars:
        tasks: dict[str, TaskID] = {}

        def on_progress(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bars.add_task(label, total=total)
            bars.update(tasks[label], completed=done, total=total)

        yield on_progress


def _reported(
    result: VerificationResult | IdentificationResult | DetectionReport,
    as_json: bool,
    output: Path | None,
) -> bool:
    """Write the whole result as JSON to ``output`` if given, and to stdout if ``as_json``
    (instead of the tables); returns whether stdout has been written."""
    text = json.dumps(asdict(result), indent=2, allow_nan=False) + "\n"
    if output is not None:
        output.write_text(text)
    if as_json:
        print(text, end="")
    return as_json


Output = Annotated[
    Path | None, typer.Option("--output", help="also write the whole result as JSON to FILE")
]
PeopleDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="the watchlisted people: your own folder with people.csv (file,person,sex,race), "
        "or LFW's (default: the lfw_dir setting)",
    ),
]
STRANGERS_HELP = "folder of strangers with labels.csv (file,age,sex,race; repeat for more)"
Strangers = Annotated[list[Path] | None, typer.Option("--strangers", help=STRANGERS_HELP)]
RequiredStrangers = Annotated[list[Path], typer.Option("--strangers", help=STRANGERS_HELP)]
Fillers = Annotated[
    list[Path] | None,
    typer.Option(
        "--fillers",
        help="folder of watchlist fillers, as --strangers (repeat; default: the strangers, "
        "in folds)",
    ),
]
Sizes = Annotated[
    list[int] | None,
    typer.Option("--watchlist-size", min=1, help="watchlist entries (repeat; default 10000)"),
]
Referee = Annotated[
    str | None,
    typer.Option(
        "--referee",
        help="a second embedder (installed) that finds strangers who are watchlisted people",
    ),
]
Report = Annotated[
    Path | None, typer.Option("--report", help="also write the report as HTML to FILE")
]


def _study(
    ctx: typer.Context,
    data_dir: Path | None,
    strangers: list[Path],
    fillers: list[Path] | None,
    sizes: list[int] | None,
    referee: str | None,
    report: Path | None,
    output: Path | None,
    as_json: bool,
    wider: Path | None = None,
    target_fpir: float | None = None,
) -> tuple[list[Study], list[GroupComparison]]:
    """Run the study at each watchlist size, and detection by group on the WIDER folder
    ``wider`` if given; write JSON to ``output`` (and stdout with ``as_json``) and HTML to
    ``report``; returns what to print (nothing with ``as_json``)."""
    import datetime as dt
    import shlex
    import sys

    from openlfr.evaluation.detection import misses_by_group
    from openlfr.evaluation.people import locate_people
    from openlfr.evaluation.study import evaluate_study
    from openlfr.evaluation.templates import cache_path
    from openlfr.evaluation.wider import read_demographics, read_wider
    from openlfr.gallery.thresholds import default_threshold
    from openlfr.models.hardware import this_cpu
    from openlfr.reporting.study import study_html, study_json
    from openlfr.vision.engine import Engine

    settings = current_settings(ctx)
    engine = Engine(settings)
    judge = None
    if referee is not None:
        judge = Engine(settings.model_copy(update={"embedder": referee, "embedder_path": None}))
    threshold = default_threshold(settings, engine.embedder_runtime.precision)
    with progress_bars(transient=True) as on_progress:
        studies = evaluate_study(
            locate_people(data_dir, settings), engine, strangers, sizes or [10_000], fillers or [],
            judge, threshold, cache_path(settings), on_progress, target_fpir,
        )  # fmt: skip
        detection = (
            []
            if wider is None
            else misses_by_group(settings, read_wider(wider), read_demographics(wider),
                                 on_progress)
        )  # fmt: skip
    about = {
        "command": "lfr " + shlex.join(sys.argv[1:]),
        "machine": this_cpu().describe(),
        "date": dt.date.today().isoformat(),
        "engine": ", ".join(f"{k}: {v}" for k, v in engine.identity.items() if "sha" not in k),
    }
    text = study_json(studies, about, detection)
    if output is not None:
        output.write_text(text)
    if report is not None:
        report.write_text(study_html(studies, about, detection))
    if as_json:
        print(text, end="")
        return [], []
    return studies, detection


def _print_study(study: Study) -> None:
    """The identification figures of ``study`` as tables."""
    referee = (
        f"{study.strangers_set_aside} set aside by {study.referee.embedder} "
        f"(similarity >= {study.referee.threshold:.4f})"
        if study.referee
        else "none set aside (no --referee: FPIR is an upper bound)"
    )
    out.print(
        f"{' + '.join(study.pipeline.values())}: watchlist of {study.watchlist_size:,} "
        f"({study.people_enrolled:,} {study.people} people, {study.failed_to_enrol} failed to "
        f"enrol, {study.watchlist_size - study.people_enrolled:,} fillers, {study.folds} "
        "fold(s)); "
        f"{study.mated_probes:,} mated probes ({study.mated_probes_missed} no face); "
        f"{study.strangers:,} strangers ({study.strangers_missed} no face, "
        f"{study.calibration_left_out} calibration faces left out), {referee}; "
        f"rank-1 {study.rank1_identification_rate:.2%}"
    )
    table = Table(
        "FPIR counted", "target", "strangers", "threshold", "FPIR", "FNIR", "false alarms",
        "supported", title=f"FNIR at FPIR, watchlist of {study.watchlist_size:,}",
    )  # fmt: skip
    for p in study.operating_points:
        table.add_row(
            p.counting, f"{p.fpir_target:g}", f"{p.strangers:,}", f"{p.threshold:.4f}",
            f"{p.fpir:.2e}", f"{p.fnir:.2%}", str(p.false_alarms),
            "yes" if p.supported else f"no (needs {3 / p.fpir_target:,.0f})",
        )  # fmt: skip
    out.print(table)
    if study.at_threshold is not None and study.threshold is not None:
        at = study.at_threshold
        out.print(
            f"at the default threshold {study.threshold:.4f}: FPIR {at.fpir:.2e} "
            f"(as measured {at.fpir_as_measured:.2e}), FNIR {at.fnir:.2%}, "
            f"{at.false_alerts_per_million:,.0f} false alerts per million faces scanned"
        )


@app.command("verification")
def verification(
    ctx: typer.Context,
    dataset: Annotated[Literal["lfw"], typer.Option("--dataset", help="data set")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="default: the lfw_dir setting")
    ] = None,
    folds: Annotated[int, typer.Option("--folds", min=2, max=10, help="first N folds")] = 10,
    as_json: JsonFlag = False,
    output: Output = None,
) -> None:
    """1:1 verification on LFW pairs.txt: 10-fold accuracy, EER, TAR at FAR 1e-3."""
    from openlfr.evaluation.lfw import Lfw
    from openlfr.evaluation.templates import cache_path
    from openlfr.evaluation.verification import evaluate_verification
    from openlfr.vision.engine import Engine

    settings = current_settings(ctx)
    with progress_bars() as on_progress:
        result = evaluate_verification(
            Lfw.locate(data_dir, settings), Engine(settings), folds, cache_path(settings),
            on_progress,
        )  # fmt: skip
    if _reported(result, as_json, output):
        return
    folds_table = Table("fold", "threshold (other folds)", "accuracy", title="LFW verification")
    for fold in result.folds:
        folds_table.add_row(str(fold.fold), f"{fold.threshold:.4f}", f"{fold.accuracy:.2%}")
    summary = Table("pipeline", " + ".join(result.pipeline.values()), show_header=True)
    summary.add_row(
        "accuracy",
        f"{result.mean_accuracy:.2%} ± {result.std_accuracy:.2%} (SE {result.standard_error:.2%})",
    )
    summary.add_row("EER", f"{result.eer:.2%} at {result.eer_threshold:.4f}")
    summary.add_row(
        "TAR at FAR 1e-3", f"{result.tar_at_far_1e3:.2%} at {result.threshold_at_far_1e3:.4f}"
    )
    summary.add_row("images missed", f"{len(result.missed_images)} of {result.images}")
    summary.add_row(
        "pairs with a miss",
        f"{result.mated_pairs_missed} mated, {result.non_mated_pairs_missed} non-mated: "
        + result.missed_pair_rule,
    )
    out.print(folds_table, summary)


@app.command("identification")
def identification(
    ctx: typer.Context,
    dataset: Annotated[
        Literal["lfw"], typer.Option("--dataset", help="data set (with --strangers: --data-dir's)")
    ] = "lfw",
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="default: the lfw_dir setting")
    ] = None,
    normalisation: Annotated[
        Literal["raw", "topk", "cohort", "all"],
        typer.Option("--normalisation", help="score normalisation, or all three"),
    ] = "raw",
    cohort_dir: Annotated[
        Path | None, typer.Option("--cohort-dir", help="default: the cohort_dir setting")
    ] = None,
    convention_threshold: Annotated[
        float | None,
        typer.Option(help="1:1 threshold whose FPIR to report (default: the embedder's own)"),
    ] = None,
    strangers: Strangers = None,
    fillers: Fillers = None,
    sizes: Sizes = None,
    referee: Referee = None,
    report: Report = None,
    as_json: JsonFlag = False,
    output: Output = None,
) -> None:
    """Open-set 1:N on LFW: FNIR at FPIR 1e-2 and 1e-3, rank-1 rate, both errata variants.

    With --strangers: the people of --data-dir (LFW's, or your own with
    people.csv) on a watchlist grown with fillers to each --watchlist-size,
    searched by their other images (mated probes) and by the strangers: FNIR
    and FPIR against threshold, at FPIR 1e-2, 1e-3 and 1e-4, rank-1 and false
    alerts per million faces scanned (raw scores).
    """
    if strangers:
        studies, _ = _study(ctx, data_dir, strangers, fillers, sizes, referee, report, output,
                            as_json)  # fmt: skip
        for study in studies:
            _print_study(study)
        return
    from openlfr.evaluation.identification import NORMALISATIONS, evaluate_identification
    from openlfr.evaluation.lfw import Lfw
    from openlfr.evaluation.templates import cache_path
    from openlfr.vision.engine import Engine

    settings = current_settings(ctx)
    names = NORMALISATIONS if normalisation == "all" else (normalisation,)
    with progress_bars() as on_progress:
        result = evaluate_identification(
            Lfw.locate(data_dir, settings), Engine(settings), names,
            cohort_dir or settings.cohort_dir, convention_threshold, cache_path(settings),
            on_progress,
        )  # fmt: skip
    if _reported(result, as_json, output):
        return
    out.print(
        f"LFW 1:N, {' + '.join(result.pipeline.values())}: {result.gallery_entries} gallery "
        f"entries ({len(result.failed_to_enrol)} failed to enrol), {result.probes} probes"
        + (
            f", cohort {result.cohort_images} ({result.cohort_missed} missed)"
            if result.cohort_images
            else ""
        )
    )
    probes = Table(
        "variant", "mated (missed)", "non-mated (missed)", "rank-1", "errata rank-1 matches",
        f"raw FPIR at t={result.convention_threshold}", title="probes",
    )  # fmt: skip
    for v in result.probe_figures:
        probes.add_row(
            v.variant, f"{v.mated_probes} ({v.mated_probes_missed})",
            f"{v.non_mated_probes} ({v.non_mated_probes_missed})",
            f"{v.rank1_identification_rate:.2%}", str(v.errata_rank1_matches),
            "-" if v.fpir_at_convention is None else f"{v.fpir_at_convention:.2%}",
        )  # fmt: skip
    table = Table(
        "variant", "normalisation", "FPIR target", "threshold", "FNIR", "false alarms (errata)",
        title="FNIR at FPIR",
    )  # fmt: skip
    for p in result.operating_points:
        table.add_row(
            p.variant, p.normalisation, f"{p.fpir_target:g}", f"{p.threshold:.4f}",
            f"{p.fnir:.2%}", f"{p.false_alarms} ({p.errata_false_alarms})",
        )  # fmt: skip
    out.print(probes)
    out.print(table)


@app.command("detection")
def detection(
    ctx: typer.Context,
    dataset: Annotated[Literal["wider"], typer.Option("--dataset", help="data set")],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="default: the wider_dir setting")
    ] = None,
    detector: Annotated[
        DetectorName | None, typer.Option("--detector", help="default: the detector setting")
    ] = None,
    as_json: JsonFlag = False,
    output: Output = None,
) -> None:
    """Face detection AP per WIDER FACE level (easy, medium, hard), as officially computed."""
    from openlfr.evaluation import DatasetError
    from openlfr.evaluation.detection import evaluate_detection
    from openlfr.evaluation.wider import read_wider

    settings = current_settings(ctx)
    if detector is not None:
        settings = settings.model_copy(update={"detector": detector})
    folder = data_dir or settings.wider_dir
    if folder is None:
        raise DatasetError(
            "no WIDER FACE folder given: pass --data-dir or set wider_dir (LFR_WIDER_DIR) "
            "to the folder holding gt.json"
        )
    images = read_wider(folder)
    with progress_bars(counted=False, transient=True) as on_progress:
        report = evaluate_detection(settings, images, on_progress)
    if _reported(report, as_json, output):
        return
    table = Table(
        "level", "faces", "AP", "recall",
        title=f"{report.detector} on WIDER FACE val, {report.images} images",
        caption=f"model: {report.model}",
    )  # fmt: skip
    for level in report.levels:
        table.add_row(level.level, str(level.faces), f"{level.ap:.4f}", f"{level.recall:.2%}")
    out.print(table)
    if report.subset:
        out.print(
            "note: AP on a subset of WIDER FACE val is not comparable with published "
            "full-set figures; use it to compare detectors run the same way."
        )


def _print_rates(c: GroupComparison, what: str) -> None:
    table = Table(
        "group", "units", "trials", "errors", "rate", "95% interval", "p (Holm)",
        title=f"{c.metric} by {c.attribute} at {c.threshold}, {what}",
    )  # fmt: skip
    for r in c.rates:
        p = "too small" if r.too_small else "-" if r.p_value is None else f"{r.p_value:.3f}"
        table.add_row(
            r.group, f"{r.units:,}", f"{r.trials:,}", str(r.errors), f"{r.rate:.2e}",
            f"{r.low:.2e} to {r.high:.2e}", p + (" *" if r.significant else ""),
        )  # fmt: skip
    out.print(table)


@app.command("equitability")
def equitability(
    ctx: typer.Context,
    strangers: RequiredStrangers,
    data_dir: PeopleDir = None,
    fillers: Fillers = None,
    sizes: Sizes = None,
    referee: Referee = None,
    wider: Annotated[
        Path | None,
        typer.Option(
            "--wider", help="WIDER FACE folder for detection by group (default: wider_dir)"
        ),
    ] = None,
    report: Report = None,
    as_json: JsonFlag = False,
    output: Output = None,
) -> None:
    """FPIR by sex and race (the strangers') and FNIR by sex and race (the people's),
    with 95% intervals and tests at each threshold, the lowest threshold from which no group
    differs significantly, and detection misses by skin tone, gender and age (WIDER)."""
    from openlfr.reporting.study import at_threshold

    wider = wider or current_settings(ctx).wider_dir
    studies, detection = _study(
        ctx, data_dir, strangers, fillers, sizes, referee, report, output, as_json, wider
    )
    if not as_json and not detection:
        out.print("detection by group: not measured (no --wider folder, no wider_dir setting)")
    for c in detection:
        _print_rates(c, "faces missed by the detector")
    for study in studies:
        for c in at_threshold(study, study.threshold):
            _print_rates(c, f"watchlist of {study.watchlist_size:,}")
        for v in study.verdicts:
            since = "never" if v.lowest_threshold is None else f"from {v.lowest_threshold}"
            differ = ", ".join(map(str, v.significant_at)) or "none"
            out.print(f"{v.metric} by {v.attribute}: no significant difference {since} "
                      f"(significant at {differ})")  # fmt: skip
        out.print(
            "every group alike from threshold "
            + ("(none of the grid)" if study.equitable_from is None else str(study.equitable_from))
        )


@app.command("threshold")
def threshold(
    ctx: typer.Context,
    target_fpir: Annotated[
        float, typer.Option("--target-fpir", min=1e-9, max=1.0, help="the FPIR to stay within")
    ],
    size: Annotated[int, typer.Option("--watchlist-size", min=1, help="watchlist entries")],
    strangers: RequiredStrangers,
    data_dir: PeopleDir = None,
    fillers: Fillers = None,
    referee: Referee = None,
    as_json: JsonFlag = False,
    output: Output = None,
) -> None:
    """Recommend a match threshold: the lowest whose FPIR meets --target-fpir at
    --watchlist-size, with its FNIR, false alerts per million faces and whether any
    group differs significantly there."""
    studies, _ = _study(
        ctx, data_dir, strangers, fillers, [size], referee, None, output, as_json,
        target_fpir=target_fpir,
    )  # fmt: skip
    for study in studies:
        advice = study.recommendation
        assert advice is not None  # asked for with target_fpir
        p = advice.point
        support = (
            ""
            if p.supported
            else f" (too few strangers to show it: {3 / p.fpir_target:,.0f} needed)"
        )
        out.print(
            f"threshold {p.threshold:.4f} for FPIR {p.fpir_target:g} with a watchlist of "
            f"{study.watchlist_size:,}: FPIR {p.fpir:.2e} over {p.strangers:,} strangers"
            f"{support}, FNIR {p.fnir:.2%}, {advice.false_alerts_per_million:,.0f} false alerts "
            "per million faces scanned"
        )
        differ = [
            f"{c.metric} by {c.attribute} ({', '.join(r.group for r in c.rates if r.significant)})"
            for c in advice.groups
            if c.significant
        ]
        out.print(
            "equitability at this threshold: "
            + (
                "no group differs significantly"
                if advice.equitable
                else "differs: " + "; ".join(differ)
            )
        )
