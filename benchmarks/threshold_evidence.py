"""Ship what the study measured at each threshold, for the authorisation step to show.

    python benchmarks/threshold_evidence.py docs/study/sface-int8.json

Reads a report written by ``lfr evaluate identification --strangers ...
--output FILE`` and writes ``src/openlfr/gallery/measured/<embedder>-<precision>.json``:
per watchlist size, the curve (threshold, FPIR overlap set aside, FPIR as
measured, FNIR) and the lowest threshold from which no group differs
(openlfr.gallery.evidence reads it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from openlfr.gallery.evidence import evidence_file


def compact(report: dict[str, Any], name: str) -> dict[str, Any]:
    """The shipped form of a study ``report`` read from the file ``name``."""
    about = report["about"]
    return {
        "source": f"{name}, {about['date']}, {about['machine']}",
        "command": about["command"],
        "sizes": {
            str(study["watchlist_size"]): {
                "referee": study["referee"],
                "equitable_from": study["equitable_from"],
                "curve": [
                    [p["threshold"], p["fpir"], p["fpir_as_measured"], p["fnir"]]
                    for p in study["curve"]
                ],
            }
            for study in report["studies"]
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="docs/study/<embedder>-<precision>.json")
    args = parser.parse_args()
    embedder, precision = args.report.stem.split("-")
    target = evidence_file(embedder, precision)
    target.parent.mkdir(parents=True, exist_ok=True)
    shipped = compact(json.loads(args.report.read_text()), args.report.as_posix())
    target.write_text(json.dumps(shipped, indent=1) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
