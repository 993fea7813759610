"""Alignment maps the five landmarks onto the ArcFace template."""

from __future__ import annotations

import numpy as np

from openlfr.vision.align import ARCFACE_TEMPLATE, align, similarity


def test_similarity_recovers_a_known_transform() -> None:
    angle, scale, shift = 0.3, 1.7, np.array([12.0, -5.0])
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = ARCFACE_TEMPLATE @ rotation.T + shift
    matrix = similarity(moved, ARCFACE_TEMPLATE)
    back = moved @ matrix[:, :2].T + matrix[:, 2]
    np.testing.assert_allclose(back, ARCFACE_TEMPLATE, atol=1e-9)


def test_chip_puts_landmarks_on_the_template() -> None:
    # Paint five dots at landmark positions in a large image; after alignment they
    # must sit at the template's positions in the 112x112 chip.
    image = np.zeros((400, 500, 3), np.uint8)
    landmarks = ARCFACE_TEMPLATE * 2.5 + [150.0, 80.0]
    for x, y in landmarks:
        image[round(y) - 2 : round(y) + 3, round(x) - 2 : round(x) + 3] = 255
    chip = align(image, landmarks)
    assert chip.shape == (112, 112, 3)
    for x, y in ARCFACE_TEMPLATE:
        assert chip[round(y), round(x)].max() > 128
