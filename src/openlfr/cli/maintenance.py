"""``lfr keys rotate`` and ``lfr housekeeping``: looking after the store."""

from __future__ import annotations

import typer

from openlfr.cli.common import (
    JsonFlag,
    acting_user,
    done,
    governance,
    out,
    print_json,
    report_housekeeping,
)
from openlfr.services import housekeeping
from openlfr.services import keys as master_key

keys = typer.Typer(no_args_is_help=True, help="The master key that wraps every data key.")


@keys.command("rotate")
def rotate(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Make a new master key and re-wrap every data key under it (admin)."""
    with governance(ctx) as store:
        actor = acting_user(store)
        count = master_key.rotate_master_key(store, actor)
    done(f"{count} data key(s) re-wrapped under a new master key", {"data_keys": count}, as_json)


def run_housekeeping(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Close ended deployments, purge alert biometrics past retention, flag subjects for review,
    finish a shredding a reader held up.

    Every governance command does this once its user is proven, and lfr serve every minute;
    this runs it for a logged-in user (any role).
    """
    with governance(ctx, run_housekeeping=False) as store:
        acting_user(store)
        result = housekeeping.run(store)
    if as_json:
        print_json(result)
    elif result.closed or result.purged or result.flagged or result.shredded:
        report_housekeeping(result, out)
    else:
        out.print("housekeeping: nothing was due")
