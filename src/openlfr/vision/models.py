"""The models the engine runs: which file, backend and precision each runs on here, loaded.

This is the one place that decides. A bring-your-own file runs as given, in
f32. A shipped model runs on the backend measured for it (or the ``backend``
setting) and, with ``precision = "auto"``, at the precision chosen on this
machine: its reduced precisions tried against f32 on the sample faces and the
fastest that agrees kept (openlfr.models.precision). The trials run once per
CPU and installed files, at ``lfr models install`` or else at first load,
and are recorded; a refusal is logged in one line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from openlfr.config import Settings
from openlfr.models.hardware import this_cpu
from openlfr.models.manifest import ModelError, ModelSpec, spec
from openlfr.models.precision import (
    Choice,
    Trial,
    candidates,
    choose,
    record,
    recorded,
    unsupported,
)
from openlfr.models.provision import (
    installed_hashes,
    installed_path,
    prepared_custom,
)
from openlfr.models.runtime import BackendName, Precision, Runner, load_runner
from openlfr.vision.align import align
from openlfr.vision.detect import FAMILIES, build_detector
from openlfr.vision.detect.base import Detector
from openlfr.vision.embed import ArcFaceEmbedder, build_embedder
from openlfr.vision.samples import check_frames
from openlfr.vision.trials import try_detector, try_embedder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelRuntime:
    """What runs one model here."""

    model: str  # manifest name, or the bring-your-own file's name
    path: Path
    backend: BackendName
    precision: Precision
    reason: str  # why this precision

    def load(self, threads: int) -> Runner:
        return load_runner(self.path, self.backend, threads, self.precision)


def load_detector(settings: Settings) -> Detector:
    """The detector ``settings.detector``, on its shipped model or ``settings.detector_path``."""
    return build_detector(settings, detector_runtime(settings).load(settings.threads))


def load_embedder(settings: Settings) -> ArcFaceEmbedder:
    """The embedder ``settings.embedder``: a shipped model, or ``custom`` from its path."""
    return build_embedder(settings, embedder_runtime(settings).load(settings.threads))


def detector_runtime(settings: Settings) -> ModelRuntime:
    if settings.detector_path is not None:
        path = prepared_custom(settings.detector_path, settings.models_dir, spatial_dynamic=True)
        return _custom(settings, settings.detector_path.name, path)
    shipped = FAMILIES[settings.detector][1]
    if shipped is None:
        raise ModelError(
            f"detector {settings.detector} ships with no model: set detector_path "
            "(LFR_DETECTOR_PATH) to its ONNX file"
        )
    return shipped_runtime(settings, shipped)


def embedder_runtime(settings: Settings) -> ModelRuntime:
    if settings.embedder == "custom":
        if settings.embedder_path is None:
            raise ModelError("embedder = custom needs embedder_path (LFR_EMBEDDER_PATH)")
        path = prepared_custom(settings.embedder_path, settings.models_dir, spatial_dynamic=False)
        return _custom(settings, settings.embedder_path.name, path)
    model = spec(settings.embedder)
    if model.kind != "embedder":
        raise ModelError(f"{model.name} is a {model.kind}, not an embedder: check `embedder`")
    return shipped_runtime(settings, model.name)


def effective_backend(model: ModelSpec | None, override: str = "auto") -> BackendName:
    """The backend a model runs on here: the override, else the one measured for a shipped
    ``model``, or ONNX Runtime for a bring-your-own file (``model`` None); never an
    OpenVINO that is not installed."""
    measured: BackendName = model.backend if model else "onnxruntime"
    chosen: BackendName = measured if override == "auto" else override  # type: ignore[assignment]
    if chosen == "openvino" and find_spec("openvino") is None:
        return "onnxruntime"
    return chosen


def _custom(settings: Settings, name: str, path: Path) -> ModelRuntime:
    return ModelRuntime(
        name, path, effective_backend(None, settings.backend), "f32", "a bring-your-own file"
    )


def shipped_runtime(settings: Settings, name: str) -> ModelRuntime:
    """What runs the shipped model ``name`` here: the settings' overrides, else the measured
    backend and the precision chosen on this machine (tried now if not yet)."""
    model = spec(name)
    backend = effective_backend(model, settings.backend)
    if settings.precision != "auto":
        precision: Precision = settings.precision
        reason = f"set by precision = {precision}"
        refusal = unsupported(precision, this_cpu())
        if precision not in candidates(model, backend):
            refusal = f"{name} has no {precision} run on {backend}"
        if refusal:
            precision, reason = "f32", f"{reason}, but {refusal}: runs f32"
    else:
        choice = precision_choice(settings, model, backend)
        precision, reason = choice.precision, choice.reason
    return ModelRuntime(
        name, installed_path(settings.models_dir, name, precision), backend, precision, reason
    )


def precision_choice(settings: Settings, model: ModelSpec, backend: BackendName) -> Choice:
    """The precision ``model`` runs at on ``backend`` here: recorded for this CPU and these
    files, else tried now and recorded."""
    tried = candidates(model, backend)
    if tried == ["f32"]:
        return Choice(model.name, "f32", f"{backend}: no reduced precision tried", ())
    cpu = this_cpu()
    installed_path(settings.models_dir, model.name)  # a clear error if not installed
    files = installed_hashes(settings.models_dir, model)
    made = recorded(settings.models_dir, model.name, cpu, files)
    if made is None:
        made = choose(model.name, run_trials(settings, model, tried))
        record(settings.models_dir, made, cpu, files)
        refused = [t for t in made.trials if t.refusal and t.ms is not None]
        for trial in refused:
            log.warning("%s: %s %s; running %s", model.name, trial.precision, trial.refusal,
                        made.precision)  # fmt: skip
    return made


def run_trials(settings: Settings, model: ModelSpec, tried: list[Precision]) -> list[Trial]:
    """Each precision in ``tried`` (f32, the reference, first) run on this machine on the
    sample faces, compared with f32 and timed."""
    frames = check_frames()
    attempt: Callable[[Precision, Runner, Any], tuple[Trial, Any]]
    if model.kind == "detector":
        own = settings.model_copy(update={"detector": model.family, "detector_path": None})

        def attempt(precision: Precision, runner: Runner, reference: Any) -> tuple[Trial, Any]:
            return try_detector(precision, build_detector(own, runner), frames, reference)
    else:
        chips = _check_chips(settings, frames)
        own = settings.model_copy(update={"embedder": model.name, "flip_templates": False})

        def attempt(precision: Precision, runner: Runner, reference: Any) -> tuple[Trial, Any]:
            return try_embedder(precision, build_embedder(own, runner), chips, reference)

    trials: list[Trial] = []
    reference = None  # f32's detections or templates
    for precision in tried:
        runner = _runner_at(settings, model, precision)
        if isinstance(runner, Trial):
            trials.append(runner)
            continue
        trial, output = attempt(precision, runner, reference)
        trials.append(trial)
        reference = output if reference is None else reference
    return trials


def _runner_at(settings: Settings, model: ModelSpec, precision: Precision) -> Runner | Trial:
    """A runner of ``model`` at ``precision`` on OpenVINO, or the trial refused because this
    CPU cannot run it (by its capabilities, or by what the compiled model reports)."""
    refusal = unsupported(precision, this_cpu())
    if refusal is None:
        path = installed_path(settings.models_dir, model.name, precision)
        runner = load_runner(path, "openvino", settings.threads, precision)
        runs_at = getattr(runner, "runs_at", None)
        if runner.backend != "openvino":  # OpenVINO could not load it: the fallback is f32
            refusal = f"OpenVINO could not load it (it fell back to {runner.backend})"
        elif runs_at == precision:
            return runner
        else:
            refusal = f"not supported by this CPU (OpenVINO runs it as {runs_at})"
    return Trial(precision, None, "", refusal)


def _check_chips(settings: Settings, frames: list[np.ndarray]) -> np.ndarray:
    """Aligned chips of the faces in ``frames``, found by the configured detector in f32."""
    detector = load_detector(settings.model_copy(update={"precision": "f32"}))
    found = detector.detect_many(frames)
    chips = [align(frame, landmarks) for frame, faces in zip(frames, found, strict=True)
             for landmarks in faces.landmarks]  # fmt: skip
    if len(chips) < len(frames):
        raise ModelError(
            f"the precision trials found {len(chips)} faces in {len(frames)} sample frames with "
            f"detector {settings.detector}: set precision = f32"
        )
    return np.stack(chips)
