"""The governance services end to end, on SQLite and PostgreSQL: rules, audit, encryption."""

from __future__ import annotations

import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
import sqlalchemy as sa

from openlfr.domain.alert import Adjudication, Outcome
from openlfr.domain.deployment import State
from openlfr.domain.errors import DomainError
from openlfr.gallery.thresholds import MEASURED
from openlfr.services import (
    alerts,
    audit,
    deployments,
    housekeeping,
    identity,
    keys,
    users,
    watchlists,
)
from openlfr.services.unit_of_work import Store
from openlfr.store.integrity import RowEditedError
from openlfr.store.tables import (
    alert_biometrics,
    data_keys,
    reference_images,
    subjects,
    watchlist_entries,
)
from openlfr.vision.engine import Engine
from openlfr.vision.image import read_image
from openlfr.vision.models import embedder_runtime
from tests.domain.factories import application
from tests.services.conftest import (
    Clock,
    count,
    enrol,
    lfw,
    live_alert,
    live_deployment,
    log,
    photo,
    raw_bytes,
    record,
    reference,
    staffed_store,
)


def probe_crop(name: str, n: int) -> bytes:
    return lfw(name, n).read_bytes()


def test_lifecycle_every_step_audited(store: Store, engine: Engine, clock: Clock) -> None:
    d = live_deployment(store, engine, clock)
    assert d.id is not None and d.state == State.LIVE and d.watchlist_size == 2
    watchlist = alerts.load_watchlist(store, d.id)
    probe = engine.analyse([photo("Aaron_Eckhart")])[0][0].embedding
    entry, score, _ = watchlist.index.top1(probe[None])
    a = alerts.raise_alert(
        store, d.id, watchlist.entries[entry[0]], "van-1-north", b"crop", float(score[0])
    )
    assert a.subject_name == "Aaron Eckhart" and a.adjudication == Adjudication.UNADJUDICATED
    alerts.adjudicate(store, "omar", a.id or 0, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED)
    crop, reference = alerts.view_biometrics(store, "omar", a.id or 0)
    assert crop == b"crop" and reference == lfw("Aaron_Eckhart").read_bytes()
    closed = deployments.close(store, "omar", d.id)
    assert closed.state == State.CLOSED and closed.closed_at == clock.now

    actions = [(e.actor, e.action, e.outcome) for e in log(store)]
    assert actions[-13:] == [
        ("wendy", "subject.enrol", "done"),
        ("wendy", "subject.enrol", "done"),
        ("pat", "deployment.request", "done"),
        ("olu", "deployment.authorise", "done"),
        ("pat", "watchlist.compile", "done"),
        ("olu", "watchlist.approve", "done"),
        ("omar", "deployment.start", "done"),
        ("system", "watchlist.load", "done"),
        ("system", "alert.raise", "done"),
        ("omar", "alert.adjudicate", "done"),
        ("omar", "alert.view_biometrics", "done"),
        ("omar", "deployment.close_requested", "done"),
        ("system", "deployment.close", "done"),
    ]
    assert audit.verify(store, "ada").intact


def test_refusals_change_nothing_and_are_audited(
    store: Store, engine: Engine, clock: Clock
) -> None:
    ident, a = live_alert(store, engine, clock)
    with pytest.raises(DomainError, match=r"olu .* may not adjudicate an alert"):
        alerts.adjudicate(store, "olu", a.id or 0, Adjudication.CONFIRMED_FALSE)
    with pytest.raises(DomainError, match="no user named mallory"):
        deployments.close(store, "mallory", ident)
    with pytest.raises(DomainError, match="below"):
        alerts.raise_alert(store, ident, 1, "van-1-north", b"crop", 0.1)
    with pytest.raises(DomainError, match="camera van-9"):
        alerts.raise_alert(store, ident, 1, "van-9", b"crop", 0.9)
    assert [x.adjudication for x in alerts.list_alerts(store, "omar")] == [
        Adjudication.UNADJUDICATED
    ]
    assert deployments.get(store, "pat", ident).state == State.LIVE
    refused = [(e.actor, e.action) for e in log(store) if e.outcome == "refused"]
    assert refused == [
        ("olu", "alert.adjudicate"),
        ("mallory", "deployment.close_requested"),
        ("system", "alert.raise"),
        ("system", "alert.raise"),
    ]


def test_start_outside_window_and_unauthorised_start(store: Store, engine: Engine) -> None:
    enrol(store, engine, "Aaron_Eckhart")
    d = deployments.request(store, "pat", application())
    assert d.id is not None
    with pytest.raises(DomainError, match="is draft and cannot become live"):
        deployments.start(store, "omar", d.id, signs_up=True)
    deployments.authorise(store, "olu", d.id)
    deployments.compile_watchlist(store, "pat", d.id)
    deployments.approve(store, "olu", d.id)
    with pytest.raises(DomainError, match="may go live only between"):
        deployments.start(store, "omar", d.id, signs_up=True)  # an hour early
    assert deployments.get(store, "pat", d.id).state == State.AUTHORISED


def blurred(path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "blurred.png"
    cv2.imwrite(str(out), cv2.GaussianBlur(read_image(path, 10**8, 10**8), (0, 0), 3))
    return out


def two_faces(tmp_path: Path) -> Path:
    out = tmp_path / "two.png"
    both = [photo("Aaron_Eckhart"), photo("AJ_Cook")]
    cv2.imwrite(str(out), np.hstack(both))
    return out


def tiny(tmp_path: Path) -> Path:
    out = tmp_path / "tiny.png"
    cv2.imwrite(str(out), cv2.resize(photo("Aaron_Eckhart"), (56, 56)))
    return out


def profile(tmp_path: Path) -> Path:
    """A face in profile (yaw about 1.1 eye distances), enlarged so only its pose fails."""
    out = tmp_path / "profile.png"
    face = photo("Franz_Muentefering", 3)
    cv2.imwrite(str(out), cv2.resize(face, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    return out


def blank(tmp_path: Path) -> Path:
    out = tmp_path / "wall.png"
    cv2.imwrite(str(out), np.full((160, 160, 3), 128, np.uint8))
    return out


def corrupt(tmp_path: Path) -> Path:
    out = tmp_path / "corrupt.jpg"
    out.write_bytes(lfw("Aaron_Eckhart").read_bytes()[:300])
    return out


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: blurred(lfw("Aaron_Eckhart"), tmp), "blurred"),
        (two_faces, "2 faces found; crop it to the subject"),
        (tiny, "too small"),
        (profile, "turned away"),
        (blank, "no face found"),
        (corrupt, "corrupt or truncated"),
    ],
    ids=["blurred", "several faces", "too small", "turned away", "no face", "corrupt file"],
)
def test_poor_reference_image_is_refused_and_nothing_kept(
    store: Store, engine: Engine, tmp_path: Path, make: object, reason: str
) -> None:
    bad = make(tmp_path)  # type: ignore[operator]
    images = [reference(lfw("Angelina_Jolie", 2)), reference(bad, "court_record")]
    with pytest.raises(DomainError, match=f"refused reference image 2: .*{reason}"):
        watchlists.enrol(store, "wendy", record("Angelina_Jolie"), images, engine)
    assert count(store, subjects) == 0 and count(store, reference_images) == 0
    assert log(store)[-1].outcome == "refused"


def test_bad_subject_record_and_wrong_role(store: Store, engine: Engine) -> None:
    image = [reference(lfw("Aaron_Eckhart"))]
    with pytest.raises(DomainError, match="date_of_birth"):
        watchlists.enrol(store, "wendy", record("X", date_of_birth="yesterday"), image, engine)
    with pytest.raises(DomainError, match="needs the role watchlist_manager"):
        watchlists.enrol(store, "pat", record("Aaron_Eckhart"), image, engine)
    with pytest.raises(DomainError, match="image source 'facebook'"):
        watchlists.enrol(
            store,
            "wendy",
            record("Aaron_Eckhart"),
            [reference(lfw("Aaron_Eckhart"), "facebook")],
            engine,
        )
    assert count(store, subjects) == 0


def sealed_values(store: Store, deployment_id: int) -> list[bytes]:
    """The deployment's watchlist ciphertexts and its wrapped key, as stored."""
    with store.reading() as session:
        entries = session.execute(
            sa.select(watchlist_entries.c.image, watchlist_entries.c.template).where(
                watchlist_entries.c.deployment_id == deployment_id
            )
        ).all()
        key = session.scalar(
            sa.select(data_keys.c.wrapped).where(data_keys.c.scope == f"deployment:{deployment_id}")
        )
    assert entries and key
    return [bytes(v) for row in entries for v in row] + [bytes(key)]


def leftovers(secrets: list[bytes], raw: bytes) -> int:
    """How many of ``secrets`` have any 16-byte run of theirs in ``raw``."""
    return sum(
        any(secret[i : i + 16] in raw for i in range(0, len(secret) - 16, max(1, len(secret) // 8)))
        for secret in secrets
    )


def test_a_copy_of_the_journal_taken_mid_close_holds_nothing_of_the_watchlist(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    """The attack: copy SQLite's journal (or WAL) while the close's destroying transaction
    commits (the last commit of the close). A rollback journal holds the old pages, wrapped
    key and watchlist included; the WAL, emptied just before, holds only the new pages."""
    store = staffed_store(tmp_path, None, clock)
    try:
        d = live_deployment(store, engine, clock)
        assert d.id is not None
        secrets = sealed_values(store, d.id)
        database = Path(store.db.engine.url.database or "")
        journals = [database.with_name(database.name + s) for s in ("-journal", "-wal")]
        copies: list[bytes] = []

        def copy_journals(_connection: object) -> None:
            copies.append(b"".join(j.read_bytes() for j in journals if j.exists()))

        sa.event.listen(store.db.engine, "commit", copy_journals)
        deployments.close(store, "omar", d.id)
        sa.event.remove(store.db.engine, "commit", copy_journals)
        assert copies and leftovers(secrets, copies[-1]) == 0
        left = b"".join(f.read_bytes() for f in [database, *journals] if f.exists())
        assert leftovers(secrets, left) == 0
    finally:
        store.close()


def test_after_close_nothing_of_the_watchlist_is_recoverable(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = live_deployment(store, engine, clock)
    assert d.id is not None
    secrets = sealed_values(store, d.id)
    scanned = ("data_keys", "watchlist_entries")
    assert leftovers(secrets, raw_bytes(store, scanned)) == len(secrets)  # found while live
    deployments.close(store, "omar", d.id)
    assert count(store, watchlist_entries) == 0
    with store.reading() as session:
        assert f"deployment:{d.id}" not in set(session.scalars(sa.select(data_keys.c.scope)))
    raw = raw_bytes(store, scanned)
    assert leftovers(secrets, raw) == 0
    # Templates are never stored in the clear at all.
    templates = [f.embedding.tobytes() for f in engine.analyse([photo("Aaron_Eckhart")])[0]]
    assert leftovers(templates, raw) == 0


def test_window_end_closes_by_itself(store: Store, engine: Engine, clock: Clock) -> None:
    d = live_deployment(store, engine, clock)
    clock.advance(hours=2, minutes=59)
    assert housekeeping.run(store).closed == []
    clock.advance(minutes=1)
    assert housekeeping.run(store).closed == [d.id]
    closed = deployments.get(store, "pat", d.id or 0)
    assert closed.state == State.CLOSED and closed.close_requested_by == "system: window ended"
    assert count(store, watchlist_entries) == 0


def test_retention_purges_alert_biometrics_on_time(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = live_deployment(store, engine, clock)
    assert d.id is not None
    raised = [alerts.raise_alert(store, d.id, 1, "van-1-north", b"crop", 0.9) for _ in range(3)]
    ids = [a.id or 0 for a in raised]
    alerts.adjudicate(store, "omar", ids[0], Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED)
    alerts.adjudicate(store, "omar", ids[1], Adjudication.CONFIRMED_FALSE, Outcome.NOT_ENGAGED)
    deployments.close(store, "omar", d.id)
    clock.advance(hours=23)
    assert housekeeping.run(store).purged == []
    clock.advance(hours=1)
    assert housekeeping.run(store).purged == ids[1:]  # false and unadjudicated: 24 hours
    with pytest.raises(DomainError, match="purged"):
        alerts.view_biometrics(store, "omar", ids[2])
    assert alerts.view_biometrics(store, "omar", ids[0])[0] == b"crop"
    clock.advance(days=31)
    assert housekeeping.run(store).purged == ids[:1]
    assert count(store, alert_biometrics) == 0
    with store.reading() as session:
        assert f"alerts:{d.id}" not in set(session.scalars(sa.select(data_keys.c.scope)))
    purges = [e for e in log(store) if e.action == "alert.purge_biometrics"]
    assert [e.target for e in purges] == [f"alert {i}" for i in ids[1:] + ids[:1]]
    # Each purge records the retention it applied: a purge under another policy shows.
    applied = {"retain_unconfirmed_hours": 24, "retain_confirmed_days": 31}
    assert all(json.loads(e.detail)["policy"] == applied for e in purges)
    # What remains is the record without biometrics: counts stay publishable.
    assert [a.adjudication for a in alerts.list_alerts(store, "omar", d.id)][:2] == [
        Adjudication.CONFIRMED_TRUE,
        Adjudication.CONFIRMED_FALSE,
    ]


def test_subjects_due_for_review_are_flagged_and_left_off(
    store: Store, engine: Engine, clock: Clock
) -> None:
    s = enrol(store, engine, "Aaron_Eckhart", review_by=clock.now.date().replace(day=24))
    assert housekeeping.run(store).flagged == []
    clock.advance(days=1)
    assert housekeeping.run(store).flagged == [s.id]
    assert housekeeping.run(store).flagged == []  # flagged once
    assert [x.id for x, _ in watchlists.list_subjects(store, "wendy", due_only=True)] == [s.id]
    watchlists.extend_review(store, "wendy", s.id or 0, clock.now.date().replace(year=2027))
    assert watchlists.list_subjects(store, "wendy", due_only=True) == []


def test_master_key_rotation_keeps_everything_readable(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = live_deployment(store, engine, clock)
    # The register's, the cameras', the deployment's, the audit chain's and the row MACs' keys.
    assert keys.rotate_master_key(store, "root") == 5
    assert len(alerts.load_watchlist(store, d.id or 0).index) == 2
    with pytest.raises(DomainError, match="needs the role admin"):
        keys.rotate_master_key(store, "olu")


def test_a_deactivated_user_cannot_act(store: Store, engine: Engine, clock: Clock) -> None:
    users.set_active(store, "root", "wendy", False)
    with pytest.raises(DomainError, match="wendy is deactivated"):
        enrol(store, engine, "Aaron_Eckhart")
    with pytest.raises(DomainError, match="wendy is deactivated and may not manage users"):
        users.set_active(store, "wendy", "wendy", True)
    users.set_active(store, "root", "wendy", True)
    assert enrol(store, engine, "Aaron_Eckhart").id == 1


def test_no_user_may_pass_for_the_software(store: Store) -> None:
    with pytest.raises(DomainError, match="system names the software"):
        users.add_user(store, "root", "system", ["operator"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_at": "2026-11-23T13:00:00"}, "starts_at: Input should have timezone info"),
        ({"cctv_everywhere": True}, "cctv_everywhere: Extra inputs are not permitted"),
        ({"use_case": "general_surveillance"}, "use case 'general_surveillance' is not one of"),
    ],
)
def test_bad_application_is_refused_whole(
    store: Store, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        deployments.request(store, "pat", application(**changes))
    assert log(store)[-1].outcome == "refused"
    assert deployments.list_all(store, "pat") == []


def test_the_default_threshold_is_the_one_of_the_precision_that_runs_here(store: Store) -> None:
    d = deployments.request(store, "pat", application())
    precision = embedder_runtime(store.settings).precision
    assert d.threshold == MEASURED[("sface", precision, "raw")]
    given = deployments.request(store, "pat", application(threshold=0.61))
    assert given.threshold == 0.61


def test_the_threshold_note_says_what_the_study_measured(store: Store) -> None:
    default = deployments.threshold_default(store)
    note = deployments.threshold_note(store, default)
    assert note.startswith("It is the default. Measured with UTKFace strangers")
    assert "with 10,000 entries FPIR" in note and "docs/study/sface-" in note
    assert "stricter" in deployments.threshold_note(store, default + 0.05)
    assert "more lenient" in deployments.threshold_note(store, default - 0.05)
    assert "No study of sface" in deployments.threshold_note(store, 0.94)


def test_a_threshold_changed_after_authorisation_is_authorised_again(store: Store) -> None:
    d = deployments.request(store, "pat", application())
    assert d.id is not None
    deployments.authorise(store, "olu", d.id)
    users.add_user(store, "root", "ali", ["authorising_officer"])
    changed = deployments.change_threshold(store, "ali", d.id, 0.5)
    assert changed.state == State.DRAFT and changed.authorised_by is None
    assert json.loads(log(store)[-1].detail) == {
        "from": MEASURED[("sface", embedder_runtime(store.settings).precision, "raw")],
        "to": 0.5, "state": "draft",
        "authorisation_withdrawn": "olu",
    }  # fmt: skip
    with pytest.raises(DomainError, match=r"must lie between 0\.2 and 0\.95"):
        deployments.change_threshold(store, "ali", d.id, 1e-300)
    assert deployments.get(store, "pat", d.id).threshold == 0.5


def test_an_application_with_threshold_zero_is_refused_not_defaulted(store: Store) -> None:
    with pytest.raises(DomainError, match=r"match threshold 0\.0 must lie between"):
        deployments.request(store, "pat", application(threshold=0.0))
    assert deployments.list_all(store, "pat") == []


def test_the_last_admin_who_can_log_in_stays(store: Store, clock: Clock) -> None:
    once = identity.reset_password(store, "root", "root")
    identity.login(store, "root", once, "a password of her own, long enough")
    with pytest.raises(DomainError, match="root is the last"):
        users.set_active(store, "root", "root", False)
    users.add_user(store, "root", "ada2", ["admin"])
    # ada2 never used her one-time password, and it has expired: no one else could log in.
    clock.advance(hours=72)
    with pytest.raises(DomainError) as refused:
        users.set_active(store, "root", "root", False)
    assert str(refused.value) == (
        "root is the last admin who can log in: add another admin, or reset one's password "
        "(lfr user reset), first"
    )
    assert log(store)[-1].outcome == "refused"
    identity.reset_password(store, "root", "ada2")  # a new one: she can log in again
    users.set_active(store, "root", "root", False)
    assert [u.name for u in users.list_users(store) if not u.active] == ["root"]


def test_sealed_values_swapped_between_rows_are_refused(
    store: Store, engine: Engine, clock: Clock
) -> None:
    # An insider with the database file swaps two subjects' sealed reference images, so that
    # an alert on one would show the other's face: neither row is used any more (its MAC does
    # not match; were it re-signed, the sealed image would still not open elsewhere), and the
    # refusal is audited.
    d = live_deployment(store, engine, clock)
    with store.db.engine.begin() as connection:
        first, second = connection.execute(
            sa.select(watchlist_entries.c.id, watchlist_entries.c.image).order_by(
                watchlist_entries.c.id
            )
        ).all()[:2]
        for row, other in ((first, second), (second, first)):
            connection.execute(
                watchlist_entries.update()
                .where(watchlist_entries.c.id == row.id)
                .values(image=other.image)
            )
    assert d.id is not None
    with pytest.raises(RowEditedError, match=rf"watchlist_entries row {first.id} was changed"):
        alerts.raise_alert(store, d.id, first.id, "van-1-north", b"crop", 0.9)
    assert (log(store)[-1].action, log(store)[-1].outcome) == ("alert.raise", "refused")
    assert alerts.list_alerts(store, "omar") == []
    verdict = audit.verify(store, "root")
    assert verdict.broken_at is None
    assert {f"{r.table} {r.row}" for r in verdict.rows} == {
        f"watchlist_entries {first.id}",
        f"watchlist_entries {second.id}",
    }


def test_adjudication_is_final_once_the_deployment_closed(
    store: Store, engine: Engine, clock: Clock
) -> None:
    ident, a = live_alert(store, engine, clock)
    alerts.adjudicate(store, "omar", a.id or 0, Adjudication.CONFIRMED_FALSE)
    deployments.close(store, "omar", ident)
    with pytest.raises(DomainError, match="adjudication is final"):
        alerts.adjudicate(store, "omar", a.id or 0, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED)
    assert (log(store)[-1].action, log(store)[-1].outcome) == ("alert.adjudicate", "refused")
    [kept] = alerts.list_alerts(store, "omar")
    assert (kept.adjudication, kept.outcome) == (Adjudication.CONFIRMED_FALSE, None)


def test_an_auditor_corrects_a_closed_record_and_retention_follows(
    store: Store, engine: Engine, clock: Clock
) -> None:
    ident, a = live_alert(store, engine, clock)
    alerts.adjudicate(store, "omar", a.id or 0, Adjudication.CONFIRMED_TRUE, Outcome.ARRESTED)
    deployments.close(store, "omar", ident)
    clock.advance(days=2)
    assert housekeeping.run(store).purged == []  # confirmed true: kept 31 days
    with pytest.raises(DomainError, match="needs the role auditor"):
        alerts.correct(store, "omar", a.id or 0, Adjudication.CONFIRMED_FALSE, None, "", "no")
    fixed = alerts.correct(
        store, "ada", a.id or 0, Adjudication.CONFIRMED_FALSE, Outcome.OTHER, "released",
        "custody record shows a different man",
    )  # fmt: skip
    assert (fixed.adjudicated_by, fixed.corrected_by) == ("omar", "ada")
    entry = log(store)[-1]
    assert (entry.actor, entry.action, entry.outcome) == ("ada", "alert.correct", "done")
    assert json.loads(entry.detail)["reason"] == "custody record shows a different man"
    # Retention is recomputed from the close: a false alert's 24 hours are long gone.
    assert housekeeping.run(store).purged == [a.id]
    assert audit.verify(store, "ada").intact


def test_personal_data_is_read_by_those_who_may_and_each_read_is_audited(
    store: Store, engine: Engine, clock: Clock
) -> None:
    ident, _ = live_alert(store, engine, clock)
    for read, who in (
        (lambda: watchlists.list_subjects(store, "omar"), "omar (operator) may not see watchlist"),
        (
            lambda: alerts.list_alerts(store, "wendy"),
            "wendy (watchlist_manager) may not see alerts",
        ),
        (lambda: deployments.list_all(store, "nobody"), "there is no user named nobody"),
    ):
        with pytest.raises(DomainError, match=re.escape(who)):
            read()
        assert log(store)[-1].outcome == "refused"
    subjects_read = watchlists.list_subjects(store, "wendy")
    entry = log(store)[-1]
    assert (entry.actor, entry.action, entry.outcome) == ("wendy", "subject.list", "done")
    assert json.loads(entry.detail)["subjects_read"] == [s.id for s, _ in subjects_read]
    [a] = alerts.list_alerts(store, "ada", ident)  # an auditor
    assert json.loads(log(store)[-1].detail)["alerts_read"] == [a.id]


def test_every_bad_reference_image_is_named_at_once(
    store: Store, engine: Engine, tmp_path: Path
) -> None:
    images = [
        reference(lfw("Angelina_Jolie", 2)),
        reference(blank(tmp_path), "court_record"),
        reference(corrupt(tmp_path), "court_record"),
    ]
    with pytest.raises(DomainError) as refused:
        watchlists.enrol(store, "wendy", record("Angelina_Jolie"), images, engine)
    reasons = str(refused.value).split("; ")
    assert len(reasons) == 2
    assert reasons[0].endswith("reference image 2: no face found")  # by place, not file name
    assert reasons[1].startswith("refused reference image 3: the image is corrupt")
    assert count(store, subjects) == 0 and count(store, reference_images) == 0


def test_a_bit_flipped_sealed_value_is_refused_naming_its_row(
    store: Store, engine: Engine, clock: Clock
) -> None:
    _, a = live_alert(store, engine, clock)
    with store.db.engine.begin() as connection:
        sealed = connection.execute(
            sa.select(alert_biometrics.c.probe).where(alert_biometrics.c.alert_id == a.id)
        ).scalar_one()
        flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
        connection.execute(
            alert_biometrics.update()
            .where(alert_biometrics.c.alert_id == a.id)
            .values(probe=flipped)
        )
    with pytest.raises(RowEditedError, match=rf"alert_biometrics row {a.id} was changed outside"):
        alerts.view_biometrics(store, "omar", a.id or 0)
    entry = log(store)[-1]
    assert (entry.actor, entry.action, entry.outcome) == (
        "omar",
        "alert.view_biometrics",
        "refused",
    )


def test_no_subject_name_outlives_retention(store: Store, engine: Engine, clock: Clock) -> None:
    # The audit log is kept for good: it names subjects by id. An alert keeps its subject's
    # category, sex and ethnicity for the published counts, and its name only until its
    # images are purged.
    ident, _ = live_alert(store, engine, clock)
    deployments.close(store, "omar", ident)
    for subject, _ in watchlists.list_subjects(store, "wendy"):
        watchlists.remove(store, "wendy", subject.id or 0)
    clock.advance(days=2)
    assert alerts.purge_expired(store) == [1]
    [a] = alerts.list_alerts(store, "omar")
    assert a.subject_name == f"subject {a.subject_id}" and a.category == "wanted_by_court"
    logged = json.dumps([e.__dict__ for e in log(store)])
    assert "Eckhart" not in logged and "Jolie" not in logged
