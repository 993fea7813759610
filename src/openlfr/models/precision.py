"""Which precision each model runs at on this machine: tried here, chosen by agreement and speed.

A reduced precision (int8, bf16) is used only where, on the CPU at hand, the
model's output at that precision agrees with its f32 output on real faces
(openlfr.vision.trials runs the trials); among the precisions that agree, the
one measured fastest there and then wins, and f32 always agrees with itself.
The trials and the choice are recorded in ``models_dir/precision.json`` with
the CPU they ran on and the files they ran: on another CPU (a data folder
moved to another machine) or after a reinstall they are run again.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from openlfr.models.hardware import Cpu
from openlfr.models.manifest import ModelSpec
from openlfr.models.runtime import BackendName, Precision

# Agreement with f32 a reduced precision must reach on the sample faces. SFace's 7-bit int8
# file reaches a mean cosine of 0.992 and a min of 0.970 on them (on every CPU: the same
# integers); its 8-bit file on a CPU without VNNI, saturating, 0.88 and 0.27 on LFW faces.
EMBEDDER_MEAN_COSINE = 0.985
EMBEDDER_MIN_COSINE = 0.95
DETECTOR_MIN_IOU = 0.9  # every face f32 finds, found with a box this close
DETECTOR_MAX_SCORE_GAP = 0.05  # and a detector score this close


@dataclass(frozen=True)
class Trial:
    """One precision of one model, run on this machine."""

    precision: Precision
    ms: float | None  # per call (per face for embedders); None where it was not run
    agreement: str  # with f32 on the check faces, e.g. "mean cosine 0.995, min 0.981"
    refusal: str | None  # why it may not run here; None: it passed


@dataclass(frozen=True)
class Choice:
    model: str
    precision: Precision
    reason: str  # one line: why this precision runs here
    trials: tuple[Trial, ...]


def candidates(model: ModelSpec, backend: BackendName) -> list[Precision]:
    """The precisions worth trying for ``model`` on ``backend``: f32 first, the reference.

    Reduced precision runs on OpenVINO only: ONNX Runtime runs the int8 file
    slower than the float one (docs/benchmarks.md, "Runtimes").
    """
    return ["f32", *model.reduced] if backend == "openvino" else ["f32"]


def unsupported(precision: Precision, cpu: Cpu) -> str | None:
    """Why ``cpu`` cannot run ``precision`` at all, or None."""
    if precision == "bf16" and not cpu.bf16:
        return "not supported by this CPU (OpenVINO reports no BF16)"
    if precision == "int8" and "INT8" not in cpu.openvino:
        return "not supported by this CPU (OpenVINO reports no INT8)"
    return None


def embedder_refusal(mean: float, least: float) -> str | None:
    """Why templates with cosines ``mean`` and ``least`` to f32 are not good enough, or None."""
    if mean >= EMBEDDER_MEAN_COSINE and least >= EMBEDDER_MIN_COSINE:
        return None
    return (
        f"refused: agreement with f32 mean cosine {mean:.3f}, min {least:.3f} "
        f"(needs {EMBEDDER_MEAN_COSINE}, {EMBEDDER_MIN_COSINE})"
    )


def detector_refusal(least_iou: float, score_gap: float, missed: int) -> str | None:
    """Why detections with these worst-case gaps to f32 are not good enough, or None."""
    if missed == 0 and least_iou >= DETECTOR_MIN_IOU and score_gap <= DETECTOR_MAX_SCORE_GAP:
        return None
    return (
        f"refused: against f32 {missed} faces missed, min box IoU {least_iou:.3f}, "
        f"score gap {score_gap:.3f} (needs 0, {DETECTOR_MIN_IOU}, {DETECTOR_MAX_SCORE_GAP})"
    )


def choose(model: str, trials: list[Trial]) -> Choice:
    """The fastest passing trial (f32, the reference, always passes); the reason names the
    others' figures or refusals."""
    passing = [t for t in trials if t.refusal is None and t.ms is not None]
    best = min(passing, key=lambda t: t.ms or 0.0)
    if len(trials) == 1:
        why = "no reduced precision for this model on this backend"
    elif len(passing) == 1:
        why = "the only precision that passed"
    else:
        why = f"measured fastest here ({best.ms:.2f} ms"
        why += ")" if best.precision == "f32" else f"; agreement with f32 {best.agreement})"
    others = [
        f"{t.precision} {t.refusal}" if t.refusal else f"{t.precision} {t.ms:.2f} ms"
        for t in trials
        if t is not best
    ]
    return Choice(model, best.precision, "; ".join([why, *others]), tuple(trials))


def record_file(models_dir: Path) -> Path:
    return models_dir / "precision.json"


def recorded(models_dir: Path, model: str, cpu: Cpu, files: dict[str, str]) -> Choice | None:
    """The choice recorded for ``model`` on this ``cpu`` with these ``files`` (name -> SHA-256),
    or None where there is none (not yet tried, another CPU, files changed since)."""
    path = record_file(models_dir)
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    entry = record.get("models", {}).get(model)
    if record.get("cpu") != cpu.as_dict() or entry is None or entry.get("files") != files:
        return None
    trials = tuple(Trial(**t) for t in entry["trials"])
    return Choice(model, entry["precision"], entry["reason"], trials)


def record(models_dir: Path, choice: Choice, cpu: Cpu, files: dict[str, str]) -> None:
    """Add ``choice`` to the record of this ``cpu`` (a record of another CPU is replaced)."""
    path = record_file(models_dir)
    current: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    if current.get("cpu") != cpu.as_dict():
        current = {"cpu": cpu.as_dict(), "models": {}}
    current["models"][choice.model] = {
        "precision": choice.precision,
        "reason": choice.reason,
        "files": files,
        "trials": [asdict(t) for t in choice.trials],
    }
    # Another process (a second camera) may be recording too: each stages its own file.
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    staged.write_text(json.dumps(current, indent=2) + "\n")
    os.replace(staged, path)
