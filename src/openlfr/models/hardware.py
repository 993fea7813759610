"""What this machine's CPU can run: its name, the instruction sets that reduced precision
depends on, and what OpenVINO's CPU plugin says it supports.

Read on the machine that runs the models, never taken from the manifest: the
same int8 file is exact on a CPU with VNNI and saturates on one without
(OpenVINO, "Saturation (overflow) issue"), and bf16 exists only where the CPU
has it.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# The flags reduced precision depends on, as Linux's /proc/cpuinfo names them.
FLAGS = (
    "avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile", "amx_bf16",
    "amx_int8",
)  # fmt: skip
VNNI = ("avx512_vnni", "avx_vnni", "amx_int8")


@dataclass(frozen=True)
class Cpu:
    name: str
    flags: tuple[str, ...]  # those of FLAGS this CPU has
    openvino: tuple[str, ...]  # OpenVINO's OPTIMIZATION_CAPABILITIES; () without OpenVINO
    openvino_version: str

    @property
    def vnni(self) -> bool:
        """Whether int8 convolutions add their products in 32 bits (else pairs saturate in 16)."""
        return any(f in self.flags for f in VNNI)

    @property
    def bf16(self) -> bool:
        return "BF16" in self.openvino

    def describe(self) -> str:
        """One line for reports: the name and the flags that matter."""
        flags = " ".join(self.flags) or "none of " + ", ".join(FLAGS)
        return f"{self.name} ({flags}; OpenVINO {self.openvino_version or 'absent'})"

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "flags": list(self.flags),
            "openvino": list(self.openvino),
            "openvino_version": self.openvino_version,
        }


def _cpuinfo() -> tuple[str, set[str]]:
    """The model name and flags of the first CPU in /proc/cpuinfo (Linux), else what Python
    knows of the processor and no flags."""
    fields: dict[str, str] = {}
    path = Path("/proc/cpuinfo")
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    name = fields.get("model name") or platform.processor() or platform.machine()
    return name, set(fields.get("flags", "").split())


@cache
def this_cpu() -> Cpu:
    """The CPU this process runs on."""
    name, flags = _cpuinfo()
    try:
        import openvino as ov

        capabilities = tuple(ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES"))
        ov_version = version("openvino")
    except (ImportError, RuntimeError, PackageNotFoundError):
        capabilities, ov_version = (), ""
    return Cpu(name, tuple(f for f in FLAGS if f in flags), capabilities, ov_version)
