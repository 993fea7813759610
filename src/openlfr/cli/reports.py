"""``lfr report deployment|transparency|equitability|notice``: published records, written to
a file or to standard output, and the public notice."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from openlfr.cli.common import acting_user, governance, out, visible
from openlfr.reporting.render import Format
from openlfr.services import reports

app = typer.Typer(
    no_args_is_help=True,
    help="Published records: deployment records, transparency and equitability reports, the "
    "public notice.",
)

FormatOption = Annotated[Format, typer.Option("--format", help="csv, json or html")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", help="the file to write (standard output if not given)")
]

FirstDay = Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="first day")]
LastDay = Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="last day")]


@app.command("deployment")
def deployment(
    ctx: typer.Context,
    ident: Annotated[int, typer.Argument(help="deployment id")],
    fmt: FormatOption = Format.HTML,
    output: OutputOption = None,
) -> None:
    """The record of one deployment that went live, as the Met publishes them: when, where,
    why, the threshold, the watchlist size, faces seen, alerts by verdict, engagements and
    arrests (an authorising officer or an auditor)."""
    with governance(ctx) as store:
        made = reports.deployment_record(store, acting_user(store), ident, fmt)
    write(made, output)


@app.command("transparency")
def transparency(
    ctx: typer.Context,
    first: FirstDay,
    last: LastDay,
    fmt: FormatOption = Format.HTML,
    output: OutputOption = None,
) -> None:
    """The records of every deployment that went live from --from to --to (UTC days, both
    included), their totals and charts, ready to publish (an authorising officer or an
    auditor). No one's name, image or template is in it."""
    with governance(ctx) as store:
        made = reports.transparency_report(store, acting_user(store), first.date(), last.date(),
                                           fmt)  # fmt: skip
    write(made, output)


@app.command("equitability")
def equitability(
    ctx: typer.Context,
    first: FirstDay,
    last: LastDay,
    fmt: FormatOption = Format.HTML,
    output: OutputOption = None,
) -> None:
    """Alerts, adjudicated true and adjudicated false by the matched subject's recorded sex
    and ethnicity, beside the watchlists' own composition: over the period, by month and by
    deployment (an authorising officer or an auditor), to see whether false alerts fall on
    one group."""
    with governance(ctx) as store:
        made = reports.equitability_report(store, acting_user(store), first.date(), last.date(),
                                           fmt)  # fmt: skip
    write(made, output)


@app.command("notice")
def notice(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help="the folder to write notice.html and notice.json in (default: the notice_dir "
            "setting, which the console serves at /notice)",
        ),
    ] = None,
) -> None:
    """The public notice: the deployments announced (use case, where, when), how to raise a
    concern (the setting governance.concerns_contact) and the records of past deployments
    (an authorising officer or an auditor). Deployments authorised to run without prior
    notice are not announced."""
    with governance(ctx) as store:
        for path in reports.publish_notice(store, acting_user(store), output):
            out.print(str(path))


def write(text: str, output: Path | None) -> None:
    """``text`` to ``output``, or to standard output if None."""
    if output is None:
        sys.stdout.write(visible(text, lines=True))
    else:
        reports.write(text, output)
