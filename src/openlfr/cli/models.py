"""``lfr models install|list``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from openlfr.cli.common import JsonFlag, current_settings, out, print_json, table

if TYPE_CHECKING:
    from openlfr.models.provision import ModelStatus
    from openlfr.services.models import Inventory
    from openlfr.vision.models import ModelRuntime

app = typer.Typer(no_args_is_help=True, help="Provision and inspect model files.")


def _as_dict(s: ModelStatus, run: ModelRuntime | None) -> dict[str, object]:
    m = s.spec
    return {
        "name": m.name, "kind": m.kind, "package": m.package.name, "version": m.package.version,
        "file": m.member, "sha256": m.sha256, "licence": m.licence,
        "commercial_use": m.commercial_use, "default": m.default, "state": s.state,
        "backend": run and run.backend, "precision": run and run.precision,
        "precision_reason": run and run.reason, "path": str(run.path if run else s.path),
    }  # fmt: skip


def _render(found: Inventory, as_json: bool) -> None:
    if as_json:
        print_json(
            {"cpu": found.cpu.as_dict(), "models": [_as_dict(s, r) for s, r in found.models]}
        )
        return
    shown = table("model", "kind", "source package", "licence", "sha256", "state", "runs as")
    for s, run in found.models:
        m = s.spec
        licence = m.licence + ("" if m.commercial_use else " (opt-in)")
        shown.add_row(
            m.name, m.kind, f"{m.package.name}=={m.package.version}", licence,
            m.sha256[:16] + "…", s.state, f"{run.backend} {run.precision}" if run else "",
        )  # fmt: skip
    out.print(shown)
    out.print(f"CPU: {found.cpu.describe()}")
    for _, run in found.models:
        if run is not None:
            out.print(f"{run.model} runs {run.precision}: {run.reason}")


@app.command("install")
def install_cmd(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="default: every default model")] = None,
    accept_licence: Annotated[
        bool, typer.Option("--accept-licence", help="accept a non-commercial licence")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Download, verify (SHA-256) and fix up model files, then try each one's reduced precisions
    on this CPU (again, for models already installed, which are kept)."""
    # The inference stack is imported here, so that every other ``lfr`` command starts without it.
    from openlfr.services.models import install_models

    with out.status("installing models") as spinner:
        found = install_models(current_settings(ctx), names, accept_licence, spinner.update)
    _render(found, as_json)


@app.command("list")
def list_cmd(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every model openlfr knows: source package, licence, checksum, state, and the backend and
    precision it runs at on this CPU, and why."""
    from openlfr.services.models import inventory

    with out.status("trying reduced precisions on this CPU"):
        found = inventory(current_settings(ctx))
    _render(found, as_json)
