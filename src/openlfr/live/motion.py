"""What changed in the picture: a cut (no track may cross it) and a still picture (no need to
look for faces again).

Both compare small grey thumbnails, so sensor noise and compression speckle
average away and a frame costs well under a millisecond.
"""

from __future__ import annotations

import cv2
import numpy as np

# Mean absolute change of a 64x36 grey thumbnail (0-255) that marks a cut. Measured on the
# stage clip: its three cuts change by 28-30, no other frame by more than 13.6.
CUT = 20.0
# A picture is still while fewer than STILL_PIXELS pixels of its 160-pixel-wide grey thumbnail
# differ by more than STILL_CHANGE from the last frame searched for faces. Measured on the
# real clips: every frame of a person walking changes 234 or more; only repeated frames and
# people standing still change fewer than 8.
STILL_CHANGE = 12
STILL_PIXELS = 8
STILL_WIDTH = 160
# However still the picture, faces are looked for at least every this many frames: a person
# who stood still where the detector had missed them is looked for again within a second.
LOOK_EVERY = 10


def _grey(image: np.ndarray, width: int, height: int) -> np.ndarray:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, (width, height), interpolation=cv2.INTER_AREA).astype(np.int16)


class CutDetector:
    """Notices when the picture changes at once (an edit, a camera moved or reconnected): no
    track may carry a face across it, or one person's shots would join another's."""

    def __init__(self, threshold: float = CUT) -> None:
        self.threshold = threshold
        self._last: np.ndarray | None = None

    def cut(self, image: np.ndarray) -> bool:
        small = _grey(image, 64, 36)
        last, self._last = self._last, small
        return last is not None and float(np.mean(np.abs(small - last))) > self.threshold


class MotionGate:
    """Says when the detector may be skipped: nobody is being tracked and nothing has moved
    since faces were last looked for (a quiet camera: an empty street at night costs a
    detection a second instead of ten)."""

    def __init__(self, every: int = LOOK_EVERY) -> None:
        self.every = every
        self._looked: np.ndarray | None = None  # thumbnail of the last frame searched
        self._skipped = 0

    def still(self, image: np.ndarray, tracking: bool) -> bool:
        """Whether to skip looking for faces in ``image`` (``tracking``: a track is live). A
        frame not skipped becomes the one later frames are compared with."""
        height = max(1, round(image.shape[0] * STILL_WIDTH / image.shape[1]))
        small = _grey(image, STILL_WIDTH, height)
        moved = (
            self._looked is None
            or self._looked.shape != small.shape
            or int(np.count_nonzero(np.abs(small - self._looked) > STILL_CHANGE)) >= STILL_PIXELS
        )
        if tracking or moved or self._skipped + 1 >= self.every:
            self._looked, self._skipped = small, 0
            return False
        self._skipped += 1
        return True
