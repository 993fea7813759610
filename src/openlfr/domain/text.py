"""Text a user gives (names, reasons, notes): the characters that would steer a terminal or
reorder what is shown, which a name may not hold and output shows escaped."""

from __future__ import annotations

import re

from openlfr.domain.errors import Invalid

# C0 and C1 controls (ESC, CSI among them) and DEL; the bidirectional marks, embeddings,
# overrides and isolates (U+202E makes "gpj.exe" read "exe.jpg"); the line and paragraph
# separators.
CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def escaped(char: str) -> str:
    """``char`` as its escape, as JSON writes it: ``\\u001b``, ``\\u202e``."""
    return f"\\u{ord(char):04x}"


def check_plain(value: str, what: str) -> None:
    """Refuse a one-line ``value`` (a name, a reference) holding a control character."""
    found = CONTROLS.search(value)
    if found:
        raise Invalid(
            f"the {what} holds the control character {escaped(found.group())} (a terminal "
            "escape, a line break or a text-direction override): remove it"
        )
