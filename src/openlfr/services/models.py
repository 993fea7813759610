"""The model files: which are installed, what runs each on this CPU and why, installing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from openlfr.config import Settings
from openlfr.models.hardware import Cpu, this_cpu
from openlfr.models.manifest import MODELS, spec
from openlfr.models.precision import record_file
from openlfr.models.provision import ModelStatus, default_models, install, status
from openlfr.vision.models import ModelRuntime, shipped_runtime


@dataclass(frozen=True)
class Inventory:
    """Each model's state and, if installed, the backend and precision it runs at here."""

    cpu: Cpu
    models: list[tuple[ModelStatus, ModelRuntime | None]]


def inventory(settings: Settings) -> Inventory:
    """Every model openlfr knows (its reduced precisions tried on this CPU if not yet)."""
    return _inventory(settings, [status(settings.models_dir, m) for m in MODELS.values()])


def install_models(
    settings: Settings,
    names: list[str] | None,
    accept_licence: bool,
    report: Callable[[str], None],
) -> Inventory:
    """Install ``names`` (None: the default models), verified by SHA-256, then try every
    installed model's reduced precisions here again; ``report`` is told each step."""
    wanted = [spec(n) for n in names] if names else default_models()
    statuses = install(settings.models_dir, wanted, accept_licence, report)
    report("trying reduced precisions on this CPU")
    # Tried again even on the same CPU and files: an upgraded openlfr or OpenVINO may judge
    # them differently from the one that made the record.
    record_file(settings.models_dir).unlink(missing_ok=True)
    return _inventory(settings, statuses)


def _inventory(settings: Settings, statuses: list[ModelStatus]) -> Inventory:
    runs = [shipped_runtime(settings, s.spec.name) if s.state == "installed" else None
            for s in statuses]  # fmt: skip
    return Inventory(this_cpu(), list(zip(statuses, runs, strict=True)))
