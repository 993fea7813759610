"""A data set's listing: a CSV file naming its image files, with their labels."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from openlfr.evaluation import DatasetError


def read_listing(listing: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """The rows of the CSV file ``listing``; DatasetError naming it if it lacks any of
    ``columns``."""
    with listing.open(newline="") as f:
        rows = list(csv.DictReader(f))
    missing = [c for c in columns if c not in (rows[0] if rows else {})]
    if missing:
        raise DatasetError(
            f"{listing} lacks the column(s) {', '.join(missing)}: it needs {','.join(columns)}"
        )
    return rows


def check_files(listing: Path, paths: Iterable[Path]) -> None:
    """DatasetError naming ``listing`` and the first of ``paths`` that is not a file."""
    absent = next((p for p in paths if not p.is_file()), None)
    if absent is not None:
        raise DatasetError(f"{listing} names {absent}, which does not exist")
