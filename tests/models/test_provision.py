"""Installing models: from the pinned wheel, hash-checked, idempotent, nothing half-written."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from openlfr.models.fixups import FIXUPS_VERSION
from openlfr.models.manifest import MODELS, ModelError, spec
from openlfr.models.provision import install, installed_path, status


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


def test_every_model_records_source_and_licence() -> None:
    for model in MODELS.values():
        assert len(model.sha256) == 64 and len(model.package.wheel_sha256) == 64
        assert model.package.version and model.licence and model.licence_note
        # Only permissively licensed models may be installed without asking.
        assert model.commercial_use or not model.default
