"""A process that runs one governance service and is killed (SIGKILL) mid-way.

``python -m tests.services.crashing DATA_DIR DATABASE_URL NOW SQL N OPERATION DEPLOYMENT``
kills itself the N-th time a statement starting with SQL is about to run:
no handler, no rollback, no flush, as when the power goes.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from openlfr.config import Settings
from openlfr.services import alerts, deployments
from openlfr.services.unit_of_work import Store


def main() -> None:
    data_dir, key_file, url, now, sql, n, operation, deployment = sys.argv[1:]
    settings = Settings(data_dir=Path(data_dir), master_key_file=Path(key_file), database_url=url)
    store = Store(settings, lambda: datetime.fromisoformat(now))
    seen = 0

    def kill_at(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        nonlocal seen
        if statement.lstrip().upper().startswith(sql):
            seen += 1
            if seen == int(n):
                os.kill(os.getpid(), signal.SIGKILL)

    sa.event.listen(store.db.engine, "before_cursor_execute", kill_at)
    if operation == "raise":
        alerts.raise_alert(store, int(deployment), 1, "van-1-north", b"crop", 0.9)
    else:
        deployments.close(store, "omar", int(deployment))
    sys.exit("the process was meant to be killed before it finished")


if __name__ == "__main__":
    main()
