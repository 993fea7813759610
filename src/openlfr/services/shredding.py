"""Shredding: keys and biometrics deleted are gone from the database's files too, or, while a
reader holds a snapshot from before the deletion, pending until housekeeping finishes it. A
shredding left pending and its finish are each audited; neither undoes what was deleted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from openlfr.domain.roles import SYSTEM
from openlfr.services.unit_of_work import Store
from openlfr.store.db import Shredding

FINISH_PATIENCE = 1.0  # seconds housekeeping waits for readers before leaving it for next time


@contextmanager
def shredding(store: Store, target: str, *tables: str) -> Iterator[Shredding]:
    """Around the transaction that deletes ``target``'s keys or biometrics from ``tables``;
    a shredding left pending is audited (``Shredding.done`` says which)."""
    with store.db.shredding(*tables) as shred:
        yield shred
    if not shred.done:
        with store.action(SYSTEM, "database.shredding_pending", target) as act:
            act.detail = {
                "tables": list(tables),
                "why": f"a reader held a snapshot from before the deletion for over "
                f"{store.db.shred_patience:g} s",
                "finished_by": "housekeeping",
            }


def pending(store: Store) -> bool:
    """Whether a shredding is pending."""
    return store.db.shredding_pending()


def finish_pending(store: Store) -> bool:
    """Finish a pending shredding if readers allow it now; whether one was finished."""
    if not store.db.shredding_pending() or not store.db.finish_shredding(FINISH_PATIENCE):
        return False
    with store.action(SYSTEM, "database.shredded", "database") as act:
        act.detail = {"pending_shredding": "finished"}
    return True
