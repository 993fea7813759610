"""``lfr models install|list``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from openlfr.cli.common import current_settings, out
from openlfr.config import Settings
from openlfr.models.hardware import this_cpu
from openlfr.models.manifest import MODELS, spec

if TYPE_CHECKING:
    from openlfr.models.provision import ModelStatus
    from openlfr.vision.models import ModelRuntime

app = typer.Typer(no_args_is_help=True, help="Provision and inspect model files.")


def _runtime(settings: Settings, s: ModelStatus) -> ModelRuntime | None:
    """What runs an installed model here (its precision tried on this CPU if not yet)."""
    # The inference stack is imported here, so that every other ``lfr`` command starts without it.
    from openlfr.vision.models import shipped_runtime

    return shipped_runtime(settings, s.spec.name) if s.state == "installed" else None


def _as_dict(s: ModelStatus, run: ModelRuntime | None) -> dict[str, object]:
    m = s.spec
    return {
        "name": m.name, "kind": m.kind, "package": m.package.name, "version": m.package.version,
        "file": m.member, "sha256": m.sha256, "licence": m.licence,
        "commercial_use": m.commercial_use, "default": m.default, "state": s.state,
        "backend": run and run.backend, "precision": run and run.precision,
        "precision_reason": run and run.reason, "path": str(run.path if run else s.path),
    }  # fmt: skip


def _render(statuses: list[ModelStatus], runs: list[ModelRuntime | None], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"cpu": this_cpu().as_dict(),
                          "models": [_as_dict(s, r) for s, r in zip(statuses, runs, strict=True)]},
                         indent=2))  # fmt: skip
        return
    table = Table("model", "kind", "source package", "licence", "sha256", "state", "runs as")
    for s, run in zip(statuses, runs, strict=True):
        m = s.spec
        licence = m.licence + ("" if m.commercial_use else " (opt-in)")
        table.add_row(
            m.name, m.kind, f"{m.package.name}=={m.package.version}", licence,
            m.sha256[:16] + "…", s.state, f"{run.backend} {run.precision}" if run else "",
        )  # fmt: skip
    out.print(table)
    out.print(f"CPU: {this_cpu().describe()}")
    for run in runs:
        if run is not None:
            out.print(f"{run.model} runs {run.precision}: {run.reason}")


@app.command("install")
def install_cmd(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="default: every default model")] = None,
    accept_licence: Annotated[
        bool, typer.Option("--accept-licence", help="accept a non-commercial licence")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Download, verify (SHA-256) and fix up model files, then try each one's reduced precisions
    on this CPU; already installed ones are kept."""
    from openlfr.models.provision import default_models, install

    settings = current_settings(ctx)
    with out.status("installing models") as spinner:
        wanted = [spec(n) for n in names] if names else default_models()
        statuses = install(settings.models_dir, wanted, accept_licence, spinner.update)
        spinner.update("trying reduced precisions on this CPU")
        runs = [_runtime(settings, s) for s in statuses]
    _render(statuses, runs, as_json)


@app.command("list")
def list_cmd(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every model openlfr knows: source package, licence, checksum, state, and the backend and
    precision it runs at on this CPU, and why."""
    from openlfr.models.provision import status

    settings = current_settings(ctx)
    statuses = [status(settings.models_dir, m) for m in MODELS.values()]
    with out.status("trying reduced precisions on this CPU"):
        runs = [_runtime(settings, s) for s in statuses]
    _render(statuses, runs, as_json)
