"""The CPU as this machine reports it, and what its flags mean for int8."""

from __future__ import annotations

from pathlib import Path

import pytest

from openlfr.models.hardware import FLAGS, Cpu, this_cpu


def test_the_flags_are_read_off_this_machine() -> None:
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        pytest.fail("these tests run on Linux, where /proc/cpuinfo lists the CPU's flags")
    first = cpuinfo.read_text().split("\n\n")[0]
    flags = set(next(line for line in first.splitlines() if line.startswith("flags")).split())
    cpu = this_cpu()
    assert set(cpu.flags) == flags & set(FLAGS)
    assert cpu.name and cpu.name in first
    assert "FP32" in cpu.openvino, "OpenVINO's CPU plugin reports what it can run"


@pytest.mark.parametrize(
    ("flags", "vnni"),
    [
        (("avx2",), False),
        (("avx2", "avx512f"), False),  # AVX-512 without VNNI saturates too
        (("avx2", "avx_vnni"), True),
        (("avx2", "avx512f", "avx512_vnni"), True),
        (("avx2", "avx512f", "amx_tile", "amx_int8"), True),
    ],
)
def test_vnni_is_any_of_its_three_forms(flags: tuple[str, ...], vnni: bool) -> None:
    assert Cpu("test", flags, ("FP32", "INT8"), "2026.4").vnni is vnni


def test_bf16_is_what_openvino_reports() -> None:
    assert Cpu("test", ("avx512_bf16",), ("FP32", "INT8", "BF16"), "x").bf16
    assert not Cpu("test", ("avx512_bf16",), ("FP32", "INT8"), "x").bf16
