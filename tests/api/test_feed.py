"""The live alert feed over a real server: alerts arrive as they are committed, a client
that reconnects with Last-Event-ID misses none, and the feed ends with its session."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from openlfr.api import create_app
from openlfr.services import alerts, identity
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.api.conftest import bearer, served
from tests.services.conftest import Clock, live_deployment, log


def events(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Server-sent events, each as its fields, from a stream's lines (pings skipped)."""
    event: dict[str, str] = {}
    for line in lines:
        if not line:
            if "event" in event:
                yield event
            event = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            event[name] = value.removeprefix(" ")


def test_alerts_arrive_live_and_a_reconnect_misses_none(
    store: Store, engine: Engine, clock: Clock
) -> None:
    d = live_deployment(store, engine, clock)
    assert d.id is not None
    first = alerts.raise_alert(store, d.id, 1, "van-1-north", b"crop", 0.9)
    omar = bearer(store, "omar")
    with served(create_app(store, engine)) as base, httpx.Client(base_url=base) as client:
        feed = f"/api/v1/alerts/feed?deployment={d.id}"
        with client.stream("GET", feed, headers=omar, timeout=30) as answer:
            assert answer.headers["content-type"].startswith("text/event-stream")
            arriving = events(answer.iter_lines())
            assert next(arriving)["id"] == str(first.id)  # committed before it connected
            second = alerts.raise_alert(store, d.id, 2, "van-1-south", b"crop", 0.8)
            got = next(arriving)
            assert got["event"] == "alert" and got["id"] == str(second.id)
            assert json.loads(got["data"])["camera"] == "van-1-south"
        third = alerts.raise_alert(store, d.id, 1, "van-1-north", b"crop", 0.7)
        resumed = {**omar, "Last-Event-ID": str(first.id)}
        with client.stream("GET", feed, headers=resumed, timeout=30) as answer:
            arriving = events(answer.iter_lines())
            assert [next(arriving)["id"] for _ in range(2)] == [str(second.id), str(third.id)]
        reads = [e for e in log(store) if e.action == "alert.list" and e.actor == "omar"]
        assert reads and all(e.outcome == "done" for e in reads)


def test_the_feed_ends_when_its_session_does(store: Store, engine: Engine, clock: Clock) -> None:
    d = live_deployment(store, engine, clock)
    omar = bearer(store, "omar")
    with served(create_app(store, engine)) as base, httpx.Client(base_url=base) as client:
        with client.stream("GET", "/api/v1/alerts/feed", headers=omar, timeout=30) as answer:
            arriving = events(answer.iter_lines())
            identity.logout(store, omar["Authorization"].removeprefix("Bearer "))
            assert d.id is not None
            alerts.raise_alert(store, d.id, 1, "van-1-north", b"crop", 0.9)
            ended = next(arriving)
        assert ended["event"] == "end" and "session has ended" in ended["data"]
