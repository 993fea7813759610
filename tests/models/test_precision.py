"""The rule that turns precision trials into a choice, and the record of it per CPU."""

from __future__ import annotations

from pathlib import Path

from openlfr.models.hardware import Cpu
from openlfr.models.manifest import spec
from openlfr.models.precision import (
    Trial,
    candidates,
    choose,
    detector_refusal,
    embedder_refusal,
    record,
    recorded,
    unsupported,
)

AVX2 = Cpu("AVX2 machine", ("avx2",), ("FP32", "INT8", "BIN"), "2026.4.1")
AMX = Cpu("AMX machine", ("avx2", "avx512f", "avx512_bf16", "amx_int8"), ("FP32", "INT8", "BF16"),
          "2026.4.1")  # fmt: skip
F32 = Trial("f32", 9.0, "the reference", None)


def test_reduced_precision_is_tried_on_openvino_only() -> None:
    assert candidates(spec("sface"), "openvino") == ["f32", "int8", "bf16"]
    assert candidates(spec("centerface"), "openvino") == ["f32", "bf16"]
    assert candidates(spec("sface"), "onnxruntime") == ["f32"]
    assert candidates(spec("yunet"), "onnxruntime") == ["f32"]


def test_what_a_cpu_cannot_run_is_named() -> None:
    assert unsupported("bf16", AVX2) == "not supported by this CPU (OpenVINO reports no BF16)"
    assert unsupported("bf16", AMX) is None
    assert unsupported("int8", AVX2) is None
    assert unsupported("f32", AVX2) is None


def test_agreement_limits() -> None:
    assert embedder_refusal(0.992, 0.970) is None
    refusal = embedder_refusal(0.876, 0.266)
    assert refusal is not None and "mean cosine 0.876, min 0.266" in refusal
    assert embedder_refusal(0.995, 0.90) is not None  # one face far off is enough
    assert detector_refusal(0.95, 0.01, 0) is None
    assert detector_refusal(0.95, 0.01, 1) is not None
    assert detector_refusal(0.80, 0.01, 0) is not None
    assert detector_refusal(0.95, 0.10, 0) is not None


def test_the_fastest_passing_precision_wins() -> None:
    int8 = Trial("int8", 3.0, "mean cosine 0.995, min 0.98", None)
    bf16 = Trial("bf16", 5.0, "mean cosine 0.999, min 0.99", None)
    choice = choose("sface", [F32, int8, bf16])
    assert choice.precision == "int8"
    assert choice.reason == (
        "measured fastest here (3.00 ms; agreement with f32 mean cosine 0.995, min 0.98); "
        "f32 9.00 ms; bf16 5.00 ms"
    )


def test_a_refused_precision_falls_back_with_its_reason() -> None:
    refusal = embedder_refusal(0.876, 0.266)
    broken = Trial("int8", 3.0, "mean cosine 0.876, min 0.266", refusal)
    absent = Trial("bf16", None, "", unsupported("bf16", AVX2))
    choice = choose("sface", [F32, broken, absent])
    assert choice.precision == "f32"
    assert choice.reason.startswith("the only precision that passed; int8 refused: agreement")
    assert "bf16 not supported by this CPU" in choice.reason
    slower = Trial("int8", 12.0, "mean cosine 0.995, min 0.98", None)
    assert choose("sface", [F32, slower]).precision == "f32"


def test_a_choice_holds_for_its_cpu_and_files_only(tmp_path: Path) -> None:
    files = {"f32": "a" * 64, "int8": "b" * 64}
    choice = choose("sface", [F32, Trial("int8", 3.0, "ok", None)])
    assert recorded(tmp_path, "sface", AVX2, files) is None
    record(tmp_path, choice, AVX2, files)
    assert recorded(tmp_path, "sface", AVX2, files) == choice
    assert recorded(tmp_path, "sface", AMX, files) is None  # the data folder moved
    assert recorded(tmp_path, "sface", AVX2, files | {"int8": "c" * 64}) is None  # rebuilt
    assert recorded(tmp_path, "centerface", AVX2, files) is None
    record(tmp_path, choose("centerface", [F32]), AMX, {"f32": "d" * 64})
    assert recorded(tmp_path, "sface", AVX2, files) is None, "another CPU's record replaces it"
