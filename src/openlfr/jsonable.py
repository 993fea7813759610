"""Values as plain JSON holds them: one conversion for what is printed and what is MACed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` (dataclasses, enums, times, lists, dicts, bytes, NumPy scalars) as plain JSON
    values: enums by value, times ISO 8601 in UTC, bytes in hex, so a value written and the
    same value read back from the database give the same JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "item"):  # a NumPy scalar
        return value.item()
    return value
