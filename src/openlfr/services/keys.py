"""The master key: rotating it."""

from __future__ import annotations

from openlfr.domain.roles import Action, require
from openlfr.services.unit_of_work import Store
from openlfr.store import keys


def rotate_master_key(store: Store, actor: str) -> int:
    """Re-wrap every data key under a new master key; returns how many were re-wrapped."""
    with store.action(actor, "keys.rotate", "master key") as act:
        require(act.user(), Action.ROTATE_KEYS)
        new = keys.begin_rotation(store.master)
        count = act.keys.rewrap(new)
        act.detail = {"data_keys": count, "new_master_key_id": keys.key_id(new)}
    keys.finish_rotation(store.master)
    return count
