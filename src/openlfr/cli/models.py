"""``lfr models install|list``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from openlfr.config import Settings
from openlfr.models.manifest import MODELS, spec
from openlfr.models.provision import ModelStatus, default_models, install, status

app = typer.Typer(no_args_is_help=True, help="Provision and inspect model files.")
out = Console()


def _as_dict(s: ModelStatus) -> dict[str, object]:
    m = s.spec
    return {
        "name": m.name, "kind": m.kind, "package": m.package.name, "version": m.package.version,
        "file": m.member, "sha256": m.sha256, "licence": m.licence,
        "commercial_use": m.commercial_use, "default": m.default, "state": s.state,
        "backend": s.backend, "precision": s.precision, "path": str(s.path),
    }  # fmt: skip


def _render(statuses: list[ModelStatus], as_json: bool) -> None:
    if as_json:
        print(json.dumps([_as_dict(s) for s in statuses], indent=2))
        return
    table = Table(
        "model", "kind", "source package", "file", "licence", "sha256", "backend", "state"
    )
    for s in statuses:
        m = s.spec
        licence = m.licence + ("" if m.commercial_use else " (opt-in)")
        table.add_row(
            m.name, m.kind, f"{m.package.name}=={m.package.version}", m.member.rsplit("/", 1)[-1],
            licence, m.sha256[:16] + "…", f"{s.backend} {s.precision}", s.state,
        )  # fmt: skip
    out.print(table)


@app.command("install")
def install_cmd(
    names: Annotated[list[str] | None, typer.Argument(help="default: every default model")] = None,
    accept_licence: Annotated[
        bool, typer.Option("--accept-licence", help="accept a non-commercial licence")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Download, verify (SHA-256) and fix up model files; already installed ones are kept."""
    settings = Settings()
    with out.status("installing models") as spinner:
        wanted = [spec(n) for n in names] if names else default_models()
        statuses = install(settings.models_dir, wanted, accept_licence, spinner.update)
    _render(statuses, as_json)


@app.command("list")
def list_cmd(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every model openlfr knows: source package, file, licence, checksum, backend, state."""
    settings = Settings()
    statuses = [status(settings.models_dir, m, settings.backend, settings.precision)
                for m in MODELS.values()]  # fmt: skip
    _render(statuses, as_json)
