"""The audit log: verify it, export it, sign its head (auditors and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from openlfr.api.deps import MAX_ID, StoreDep
from openlfr.api.security import Acting
from openlfr.services import audit
from openlfr.store.audit import Entry, Head

router = APIRouter(prefix="/audit", tags=["audit"])


class VerdictOut(BaseModel):
    intact: bool
    checked: int
    broken_at: int | None
    reason: str
    broken_guards: list[str]
    rows: list[str]  # each row not as its last audit entry left it, and why


@router.post("/verify", response_model=VerdictOut)
def verify(who: Acting, store: StoreDep, published: Head | None = None) -> VerdictOut:
    """Check the chain (against a ``published`` head if given) and every governed row against
    the latest entry that wrote it."""
    v = audit.verify(store, who.name, published)
    return VerdictOut(
        intact=v.intact,
        checked=v.checked,
        broken_at=v.broken_at,
        reason=v.reason,
        broken_guards=list(v.broken_guards),
        rows=[str(r) for r in v.rows],
    )


@router.get("/head", response_model=Head)
def head(who: Acting, store: StoreDep) -> Head:
    """The signed head of the log, to publish or escrow."""
    return audit.head(store, who.name)


@router.get("/entries", response_model=list[Entry])
def export(
    who: Acting, store: StoreDep, since: Annotated[int, Query(ge=1, le=MAX_ID)] = 1
) -> list[Entry]:
    """The entries from ``since`` on, each with its hash chain."""
    return audit.export(store, who.name, since)
