"""Records rendered: CSV (one row per record), JSON (every figure), and self-contained HTML
(inline CSS, no script, nothing fetched from elsewhere)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from openlfr.jsonable import jsonable

NOT_AVAILABLE = "not available"


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"
    HTML = "html"


def cell(value: Any, percent: bool = False) -> str:
    """A figure as a reader sees it: None is "not available" (never 0), times in UTC to the
    minute, other numbers to four significant figures (as a percentage if ``percent``)."""
    if value is None:
        return NOT_AVAILABLE
    if percent and isinstance(value, int | float):
        return f"{100 * value:.3g}%"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(jsonable(value))


def as_csv(rows: list[dict[str, Any]]) -> str:
    """``rows`` (dicts with the same keys) as CSV with a header; None is "not available"."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            values = jsonable(row)
            writer.writerow({k: NOT_AVAILABLE if v is None else v for k, v in values.items()})
    return buffer.getvalue()


def as_json(value: Any) -> str:
    return json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n"


def as_html(template: str, **context: Any) -> str:
    """The HTML ``template`` (in ``reporting/templates``) filled with ``context``, escaped."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("openlfr.reporting"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cell"] = cell
    return env.get_template(template).render(**context)
