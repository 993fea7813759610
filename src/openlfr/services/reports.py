"""Published records made from the store: a deployment's record, the transparency and
equitability reports of a period, and the public notice. The CLI, the API and the console
all come here (an authorising officer or an auditor; each read is audited).

The public notice's files are served to anyone by the console, so each publication records
their SHA-256 in the audit log, and the console serves a file only while it is what was last
published: one changed by hand, put there without publishing or an older copy is not shown.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from openlfr.constant_time import same
from openlfr.errors import LfrError
from openlfr.reporting.equitability import equitability_of
from openlfr.reporting.notice import check_contact, notice_of
from openlfr.reporting.publish import (
    deployment_document,
    equitability_document,
    notice_documents,
    transparency_document,
)
from openlfr.reporting.record import record_of, transparency_of
from openlfr.reporting.render import Format
from openlfr.services import records
from openlfr.services.unit_of_work import Store
from openlfr.store import audit
from openlfr.store.keys import AUDIT, DataKeys

PUBLISHED = "report.notice_published"  # the audit action of a publication, with the digests
SERVED = "the notice folder (served at /notice)"  # its target when written where it is served


class NoticeAltered(LfrError):
    """A file of the public notice is not what was last published."""


def deployment_record(store: Store, actor: str, deployment_id: int, fmt: Format) -> str:
    """The record of one deployment that went live, as the Met publishes them: when, where,
    why, the threshold, the watchlist size, faces seen, alerts by verdict, engagements and
    arrests."""
    facts = records.deployment_facts(store, actor, deployment_id)
    return deployment_document(record_of(facts), fmt, store.now())


def transparency_report(store: Store, actor: str, first: date, last: date, fmt: Format) -> str:
    """The records of every deployment that went live from day ``first`` to ``last`` (UTC,
    both included), their totals and charts. No one's name, image or template is in it."""
    found = records.facts_between(store, actor, first, last)
    return transparency_document(transparency_of(first, last, found), fmt, store.now())


def equitability_report(store: Store, actor: str, first: date, last: date, fmt: Format) -> str:
    """Alerts, adjudicated true and adjudicated false, by the matched subject's recorded sex
    and ethnicity beside the watchlists' composition: over the period, by month and by
    deployment, to see whether false alerts fall on one group."""
    found = records.facts_between(store, actor, first, last)
    return equitability_document(equitability_of(first, last, found), fmt, store.now())


def publish_notice(store: Store, actor: str, folder: Path | None = None) -> list[Path]:
    """Write the public notice (``notice.html`` and ``notice.json``) into ``folder`` (default:
    the ``notice_dir`` setting, which the console serves at /notice); the files written.
    Refused before anything is read without a way to raise a concern or a folder to write."""
    contact = store.settings.governance.concerns_contact
    check_contact(contact)
    folder = folder or store.settings.notice_folder
    if folder.exists() and not folder.is_dir():
        raise LfrError(f"{folder}: not a folder: give a folder to write the notice in")
    made = notice_of(records.notice_facts(store, actor), contact, store.now())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LfrError(f"{folder}: cannot make the folder ({exc.strerror}): give another") from None
    documents = notice_documents(made)
    written = [write(text, folder / name) for name, text in documents.items()]
    served = folder.resolve() == store.settings.notice_folder.resolve()
    # The role was checked by the read of the notice's facts, in the same call.
    with store.action(actor, PUBLISHED, SERVED if served else "a copy elsewhere") as act:
        digests = {name: _digest(text.encode()) for name, text in documents.items()}
        act.detail = {"folder": str(folder), "sha256": digests}
    return written


def published_notice(store: Store, name: str) -> bytes | None:
    """The file ``name`` of the public notice in the notice folder, as last published there;
    None if no notice has been published there. Refused (``NoticeAltered``) if the file is not
    what was published, or the publication's audit entry is not genuine."""
    folder = store.settings.notice_folder
    with store.reading() as session:
        found = audit.latest(session, (PUBLISHED,), SERVED, 1)
        key = DataKeys(session, store.master, store.now()).get(AUDIT) if found else b""
    if not found:
        return None
    [entry] = found
    if not same(entry.expected_hash(key), entry.hash):
        raise NoticeAltered(f"audit entry {entry.seq}, the notice's publication, is not genuine")
    path = folder / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NoticeAltered(f"{path} cannot be read ({exc.strerror})") from None
    if not same(_digest(data), json.loads(entry.detail)["sha256"].get(name, "")):
        raise NoticeAltered(
            f"{path} is not the file {entry.actor} published at {entry.at} (audit entry "
            f"{entry.seq}): it was changed since; publish the notice again"
        )
    return data


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(text: str, path: Path) -> Path:
    """``text`` into the file ``path``, or one error naming it."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise LfrError(
            f"{path}: cannot write the report ({exc.strerror}): give another file"
        ) from None
    return path
