"""The embedder on real aligned faces: unit-length, repeatable templates, whatever the batching,
made in the input convention the manifest or the settings give."""

from __future__ import annotations

import numpy as np
import pytest

from openlfr.config import EmbedderInput
from openlfr.models.manifest import spec
from openlfr.vision.align import align
from openlfr.vision.embed import ArcFaceEmbedder, build_embedder, chip_blob
from openlfr.vision.engine import Engine


@pytest.fixture(scope="module")
def chips(engine: Engine, lin_photo: np.ndarray, alex_photo: np.ndarray) -> np.ndarray:
    """Five different (N, 112, 112, 3) BGR chips: two people, their mirror images, one darker."""
    lin, alex = (align(p, engine.detect([p])[0].landmarks[0]) for p in (lin_photo, alex_photo))
    darker = (lin * 0.6).astype(np.uint8)
    return np.stack([lin, alex, lin[:, ::-1], alex[:, ::-1], darker])


def embedder(engine: Engine, **changes: object) -> ArcFaceEmbedder:
    """The engine's embedder on its already loaded runner, with ``changes`` to the settings."""
    return build_embedder(engine.settings.model_copy(update=changes), engine.embedder.runner)


def test_templates_are_unit_length_and_repeatable(engine: Engine, chips: np.ndarray) -> None:
    first = embedder(engine).infer(chips)
    assert first.shape == (5, 128) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(embedder(engine).infer(chips), first, atol=1e-6)
    lin, alex = first[0], first[1]
    assert float(lin @ first[4]) > 0.8, "a darker copy of a face is still that face"
    assert float(lin @ alex) < 0.3


@pytest.mark.parametrize("batch", [1, 2, 16])
def test_batching_does_not_change_a_template(engine: Engine, chips: np.ndarray, batch: int) -> None:
    """Batches of 1, of 2 (the last one short) and all at once give each chip one template."""
    alone = np.concatenate([embedder(engine).infer(chips[i : i + 1]) for i in range(len(chips))])
    together = embedder(engine, embed_batch=batch).infer(chips)
    np.testing.assert_allclose(together, alone, atol=1e-4)


def test_no_chips_no_templates(engine: Engine) -> None:
    assert embedder(engine).infer(np.zeros((0, 112, 112, 3), np.uint8)).shape == (0, 0)


def test_chip_blob_orders_channels_and_scales() -> None:
    chip = np.zeros((1, 112, 112, 3), np.uint8)
    chip[..., :] = (10, 20, 30)  # B, G, R
    rgb = chip_blob(chip, swap_to_rgb=True, mean=127.5, std=127.5)
    assert rgb.shape == (1, 3, 112, 112) and rgb.dtype == np.float32
    np.testing.assert_allclose(rgb[0, :, 0, 0], (np.array([30, 20, 10]) - 127.5) / 127.5)
    np.testing.assert_array_equal(chip_blob(chip, False, 0.0, 1.0)[0, :, 5, 7], [10, 20, 30])


def test_a_custom_embedder_uses_the_convention_its_settings_give(
    engine: Engine, chips: np.ndarray
) -> None:
    """SFace's file run as ``custom``: its manifest convention reproduces the shipped
    templates; the other colour order does not."""
    sface = spec(engine.settings.embedder)
    shipped = embedder(engine).infer(chips)
    same = EmbedderInput(colour=sface.colour, mean=sface.mean, std=sface.std)
    swapped = same.model_copy(update={"colour": "bgr" if sface.colour == "rgb" else "rgb"})
    as_custom = embedder(engine, embedder="custom", embedder_input=same).infer(chips)
    np.testing.assert_allclose(as_custom, shipped, atol=1e-6)
    wrong = embedder(engine, embedder="custom", embedder_input=swapped).infer(chips)
    assert (wrong * shipped).sum(axis=1).max() < 0.99, "the colour order was not applied"
