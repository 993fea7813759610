"""Checking and exporting the audit log."""

from __future__ import annotations

from openlfr.domain.roles import Action, require
from openlfr.services.unit_of_work import Store
from openlfr.store import audit
from openlfr.store.keys import AUDIT, INTEGRITY


def verify(store: Store, actor: str, published: audit.Head | None = None) -> audit.Verdict:
    """Check the whole chain (against a ``published`` head if given), the database's guards on
    it, and every governed row against the latest entry that wrote it; the verdict names the
    first entry that does not hold and every row edited, put back, added or deleted outside
    openlfr."""
    with store.action(actor, "audit.verify", "audit log") as act:
        require(act.user(), Action.AUDIT)
        verdict = audit.verify(act.session, act.keys.get(AUDIT), act.keys.get(INTEGRITY), published)
        act.detail = {"checked": verdict.checked, "broken_at": verdict.broken_at,
                      "broken_guards": list(verdict.broken_guards),
                      "rows": [str(r) for r in verdict.rows],
                      "against_head": published.seq if published else None}  # fmt: skip
        return verdict


def head(store: Store, actor: str) -> audit.Head:
    """The signed head of the log as it stands, to publish or escrow (the read is audited:
    the head returned is the entry before this one)."""
    with store.action(actor, "audit.head", "audit log") as act:
        require(act.user(), Action.AUDIT)
        signed = audit.head(act.session, act.keys.get(AUDIT))
        act.detail = {"seq": signed.seq, "hash": signed.hash}
        return signed


def export(store: Store, actor: str, since: int = 1) -> list[audit.Entry]:
    with store.action(actor, "audit.export", "audit log") as act:
        require(act.user(), Action.AUDIT)
        found = list(audit.entries(act.session, since))
        act.detail = {"since": since, "entries": len(found)}
        return found
