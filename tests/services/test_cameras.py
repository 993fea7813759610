"""The camera registry on each backend: admins only, sources sealed to their row, deployments
held to it, every step audited with the source masked."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from openlfr.domain.errors import DomainError
from openlfr.services import cameras, deployments
from openlfr.services.unit_of_work import Store
from openlfr.store.integrity import RowEditedError
from openlfr.store.keys import KeyStoreError
from openlfr.store.tables import cameras as camera_rows
from tests.domain.factories import application
from tests.services.conftest import findings, log

SECRET = "rtsp://viewer:secret@10.0.0.7/van-1-north"  # as conftest registers it


def test_an_admin_registers_and_the_source_opens_only_for_the_software(store: Store) -> None:
    with pytest.raises(DomainError, match="user pat \\(planner\\) may not register"):
        cameras.add_camera(store, "pat", "van-2", "rtsp://cam/x")
    with pytest.raises(DomainError, match="there is already a camera named van-1-north"):
        cameras.add_camera(store, "root", "van-1-north", "rtsp://cam/x")
    listed = cameras.list_cameras(store, "pat")
    assert [(c.name, c.shown) for c in listed] == [
        ("van-1-north", "rtsp://***@10.0.0.7/van-1-north"),
        ("van-1-south", "rtsp://***@10.0.0.7/van-1-south"),
    ]
    assert cameras.camera_source(store, "van-1-north") == SECRET
    entries = log(store)
    assert all("secret" not in e.detail and "secret" not in e.target for e in entries)
    opened = entries[-1]
    assert (opened.actor, opened.action) == ("system", "camera.open")
    assert json.loads(opened.detail) == {"source": "rtsp://***@10.0.0.7/van-1-north"}


def test_a_deployment_is_authorised_and_started_only_with_registered_cameras(
    store: Store,
) -> None:
    d = deployments.request(store, "pat", application(cameras=["van-1-north", "van-9"]))
    with pytest.raises(DomainError, match="names camera\\(s\\) not registered: van-9"):
        deployments.authorise(store, "olu", d.id or 0)
    ok = deployments.request(store, "pat", application())
    deployments.authorise(store, "olu", ok.id or 0)
    with pytest.raises(DomainError, match=f"camera van-1-north is named by deployment {ok.id}"):
        cameras.remove_camera(store, "root", "van-1-north")
    deployments.cancel(store, "pat", ok.id or 0)
    cameras.remove_camera(store, "root", "van-1-north")
    assert [c.name for c in cameras.list_cameras(store, "pat")] == ["van-1-south"]


def test_swapped_sealed_sources_do_not_open(store: Store) -> None:
    """An insider swaps two cameras' sealed sources (and their MACs) to send the feed of one
    camera to another's name: neither the MAC nor the seal lets it through."""
    with store.db.engine.begin() as connection:
        rows = connection.execute(sa.text("SELECT id, sealed, mac FROM cameras ORDER BY id")).all()
        (a, sealed_a, mac_a), (b, sealed_b, mac_b) = rows
        update = sa.text("UPDATE cameras SET sealed = :s, mac = :m WHERE id = :i")
        connection.execute(update, {"s": sealed_b, "m": mac_b, "i": a})
        connection.execute(update, {"s": sealed_a, "m": mac_a, "i": b})
    with pytest.raises(RowEditedError, match=f"cameras row {a} was changed outside openlfr"):
        cameras.camera_source(store, "van-1-north")
    assert {f"cameras {a}", f"cameras {b}"} <= set(findings(store))


def test_a_sealed_source_is_bound_to_its_row(store: Store) -> None:
    """Even with a MAC recomputed (someone with the master key), the seal names the row."""
    with store.action("root", "test.swap", "cameras") as act:
        north = act.session.execute(sa.text("SELECT id FROM cameras WHERE name = 'van-1-north'"))
        south = act.session.execute(
            sa.text("SELECT sealed FROM cameras WHERE name = 'van-1-south'")
        )
        row, other = north.scalar_one(), south.scalar_one()
        with pytest.raises(KeyStoreError, match="does not open"):
            act.unseal(cameras.SCOPE, camera_rows, row, "sealed", other)
