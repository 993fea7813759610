"""ArcFace-style embedders: a 112x112 aligned chip in, an L2-normalised template out.

SFace, InsightFace's ArcFace models and most bring-your-own embedders share
this family; they differ only in channel order and input scaling, which come
from the manifest or, for a custom file, the settings.
"""

from __future__ import annotations

import numpy as np

from openlfr.config import Settings
from openlfr.models.manifest import spec
from openlfr.models.runtime import Runner


class ArcFaceEmbedder:
    def __init__(
        self, runner: Runner, colour: str, mean: float, std: float, batch: int, flip: bool
    ) -> None:
        self.runner = runner
        self.swap_to_rgb = colour == "rgb"
        self.mean = mean
        self.std = std
        self.batch = batch
        self.flip = flip

    def infer(self, chips: np.ndarray) -> np.ndarray:
        """(N, 112, 112, 3) BGR uint8 chips -> (N, D) float32 unit-length templates.

        With ``flip`` each template is the sum of the chip's and its mirror
        image's embeddings: twice the work for a steadier template.
        """
        if self.flip:
            chips = np.concatenate([chips, chips[:, :, ::-1]])
        out = [self.runner.run(self._preprocess(chips[i : i + self.batch]))[0]
               for i in range(0, len(chips), self.batch)]  # fmt: skip
        if not out:
            return np.zeros((0, 0), np.float32)
        raw = np.concatenate(out).reshape(len(chips), -1).astype(np.float32)
        if self.flip:
            raw = raw[: len(raw) // 2] + raw[len(raw) // 2 :]
        return self._postprocess(raw)

    def _preprocess(self, chips: np.ndarray) -> np.ndarray:
        return chip_blob(chips, self.swap_to_rgb, self.mean, self.std)

    def _postprocess(self, raw: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        return raw / np.maximum(norms, 1e-12)


def chip_blob(chips: np.ndarray, swap_to_rgb: bool, mean: float, std: float) -> np.ndarray:
    """(N, 112, 112, 3) BGR uint8 chips -> the (N, 3, 112, 112) float32 input of an embedder."""
    if swap_to_rgb:
        chips = chips[..., ::-1]
    blob = np.ascontiguousarray(chips.transpose(0, 3, 1, 2), np.float32)
    if mean or std != 1.0:
        blob = (blob - mean) / std
    return blob


def build_embedder(settings: Settings, runner: Runner) -> ArcFaceEmbedder:
    """The embedder ``settings.embedder`` on ``runner``: the input convention from the manifest,
    or for ``custom`` from the settings."""
    if settings.embedder == "custom":
        conv = settings.embedder_input
        colour, mean, std = conv.colour, conv.mean, conv.std
    else:
        model = spec(settings.embedder)
        colour, mean, std = model.colour, model.mean, model.std
    return ArcFaceEmbedder(runner, colour, mean, std, settings.embed_batch, settings.flip_templates)
