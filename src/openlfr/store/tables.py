"""The tables, and the domain's dataclasses mapped onto them.

The domain classes stay plain dataclasses (imperative mapping): the rules
never see SQLAlchemy. Biometric columns (``LargeBinary``) hold only sealed
(AES-GCM) bytes. Alembic migrations in ``migrations/`` create these tables;
a test checks the two agree.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry

from openlfr.domain.alert import Adjudication, Alert, Disposal, Outcome
from openlfr.domain.camera import Camera, SourceKind
from openlfr.domain.deployment import Deployment, State
from openlfr.domain.roles import User
from openlfr.domain.watchlist import Subject
from openlfr.errors import LfrError


class RowEditedError(LfrError):
    """A stored row does not match its MAC or holds a value not in the form openlfr writes:
    it was changed outside openlfr (store.integrity)."""


def _refuse(column: str, value: object) -> RowEditedError:
    return RowEditedError(
        f"a stored {column} value {value!r} is not in the form openlfr writes: it was changed "
        "outside openlfr, so nothing is done with it; an auditor runs lfr audit verify"
    )


# On SQLite times, dates and flags are stored as text and integers that SQL compares as such:
# each has one canonical form, written and (strictly) read back, so what a row's MAC signs is
# exactly what queries see. PostgreSQL stores them as typed values.
_SQLITE_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}")
_SQLITE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Stored:
    """A SQLite type (its DDL as before) that hands over values as stored: the decorators below
    write and read them (given to SQLAlchemy as is: adapting it would bring back the
    driver's own lenient parsing)."""

    def dialect_impl(self, dialect: Dialect) -> Any:
        return self

    def bind_processor(self, dialect: Dialect) -> None:
        return None

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        return None


class _StoredTime(_Stored, sqlite.DATETIME):
    pass


class _StoredDate(_Stored, sqlite.DATE):
    pass


class _StoredFlag(_Stored, sa.Boolean):
    pass


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (canonical text) and
    PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return _StoredTime()  # type: ignore[no-untyped-call]
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value}: give a time zone")
        value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if not (isinstance(value, str) and _SQLITE_TIME.fullmatch(value)):
                raise _refuse("time", value)
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Day(sa.TypeDecorator[date]):
    """Dates, read back strictly on SQLite."""

    impl = sa.Date
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return _StoredDate()  # type: ignore[no-untyped-call]
        return dialect.type_descriptor(sa.Date())

    def process_bind_param(self, value: date | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return value.isoformat()

    def process_result_value(self, value: Any, dialect: Dialect) -> date | None:
        if value is None or dialect.name != "sqlite":
            return value
        if not (isinstance(value, str) and _SQLITE_DATE.fullmatch(value)):
            raise _refuse("date", value)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _refuse("date", value) from None


class Flag(sa.TypeDecorator[bool]):
    """Booleans, read back strictly on SQLite (0 or 1 only: SQL compares the integer)."""

    impl = sa.Boolean
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return _StoredFlag()
        return dialect.type_descriptor(sa.Boolean())

    def process_bind_param(self, value: bool | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return int(bool(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> bool | None:
        if value is None or dialect.name != "sqlite":
            return value
        if type(value) is not int or value not in (0, 1):
            raise _refuse("flag", value)
        return bool(value)


class StoredEnum(sa.TypeDecorator[StrEnum]):
    """A StrEnum stored as its value in a plain string column; a value it does not have is
    refused as changed outside openlfr."""

    impl = sa.String(32)
    cache_ok = True

    def __init__(self, cls: type[StrEnum]) -> None:
        super().__init__()
        self.cls = cls

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.cls(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        if value is None:
            return None
        try:
            return self.cls(value)
        except ValueError:
            raise _refuse(self.cls.__name__, value) from None


def enum(cls: type[StrEnum]) -> StoredEnum:
    """A StrEnum stored as its values in a plain string column."""
    return StoredEnum(cls)


metadata = sa.MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("active", Flag, nullable=False),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

# A user's password: an argon2id hash of one they chose, or the SHA-256 of a one-time password
# (random, 79 bits: a slow hash adds nothing) that must be replaced at the first login.
credentials = sa.Table(
    "credentials",
    metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("digest", sa.String(200), nullable=False),
    sa.Column("one_time", Flag, nullable=False),
    sa.Column("set_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

# Sessions (and, for the API, tokens): only the SHA-256 of the random token is kept.
tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("digest", sa.String(80), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

# Registered cameras; the source (a URL may carry credentials) only sealed, a masked copy shown.
cameras = sa.Table(
    "cameras",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", enum(SourceKind), nullable=False),
    sa.Column("shown", sa.Text, nullable=False),
    sa.Column("sealed", sa.LargeBinary, nullable=False),
    sa.Column("added_by", sa.String(100), nullable=False),
    sa.Column("added_at", UtcDateTime, nullable=False),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

deployments = sa.Table(
    "deployments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("requested_by", sa.String(100), nullable=False),
    sa.Column("use_case", sa.String(100), nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False),
    sa.Column("necessity", sa.Text, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("location_grounds", sa.Text, nullable=False),
    sa.Column("starts_at", UtcDateTime, nullable=False),
    sa.Column("ends_at", UtcDateTime, nullable=False),
    sa.Column("cameras", sa.JSON, nullable=False),
    sa.Column("criteria", sa.JSON, nullable=False),
    sa.Column("rights_assessment", sa.Text, nullable=False),
    sa.Column("dpia_ref", sa.String(200), nullable=False),
    sa.Column("eqia_ref", sa.String(200), nullable=False),
    sa.Column("threshold", sa.Float, nullable=False),
    sa.Column("near_assembly", Flag, nullable=False),
    sa.Column("assembly_justification", sa.Text, nullable=False),
    sa.Column("without_notice", Flag, nullable=False),
    sa.Column("without_notice_justification", sa.Text, nullable=False),
    sa.Column("under_18_reason", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime),
    sa.Column("state", enum(State), nullable=False, index=True),
    sa.Column("authorised_by", sa.String(100)),
    sa.Column("authorised_at", UtcDateTime),
    sa.Column("watchlist_compiled_by", sa.String(100)),
    sa.Column("watchlist_compiled_at", UtcDateTime),
    sa.Column("watchlist_size", sa.Integer, nullable=False),
    sa.Column("watchlist_composition", sa.JSON(none_as_null=True)),
    sa.Column("watchlist_approved_by", sa.String(100)),
    sa.Column("watchlist_approved_at", UtcDateTime),
    sa.Column("started_by", sa.String(100)),
    sa.Column("started_at", UtcDateTime),
    sa.Column("signs_confirmed_by", sa.String(100)),
    sa.Column("close_requested_by", sa.String(100)),
    sa.Column("close_requested_at", UtcDateTime),
    sa.Column("closed_at", UtcDateTime),
    sa.Column("cancelled_by", sa.String(100)),
    sa.Column("cancelled_at", UtcDateTime),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

subjects = sa.Table(
    "subjects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("date_of_birth", Day, nullable=False),
    sa.Column("sex", sa.String(32), nullable=False),
    sa.Column("ethnicity", sa.String(32), nullable=False),
    sa.Column("category", sa.String(100), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("case_reference", sa.String(200), nullable=False),
    sa.Column("review_by", Day, nullable=False),
    sa.Column("added_by", sa.String(100), nullable=False),
    sa.Column("added_at", UtcDateTime, nullable=False),
    sa.Column("flagged_for_review_at", UtcDateTime),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

# A subject's reference images and their templates, sealed with the register's key.
reference_images = sa.Table(
    "reference_images",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "subject_id", sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("source", sa.String(100), nullable=False),
    sa.Column("added_by", sa.String(100), nullable=False),
    sa.Column("added_at", UtcDateTime, nullable=False),
    sa.Column("image", sa.LargeBinary, nullable=False),
    sa.Column("template", sa.LargeBinary, nullable=False),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

# A deployment's compiled watchlist, sealed with the deployment's own key.
watchlist_entries = sa.Table(
    "watchlist_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "deployment_id",
        sa.ForeignKey("deployments.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("subject_id", sa.Integer, nullable=False),
    sa.Column("subject_name", sa.String(200), nullable=False),
    sa.Column("category", sa.String(100), nullable=False),
    sa.Column("sex", sa.String(32), nullable=False),
    sa.Column("ethnicity", sa.String(32), nullable=False),
    sa.Column("image", sa.LargeBinary, nullable=False),
    sa.Column("template", sa.LargeBinary, nullable=False),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("deployment_id", sa.ForeignKey("deployments.id"), nullable=False, index=True),
    sa.Column("subject_id", sa.Integer, nullable=False),
    sa.Column("subject_name", sa.String(200), nullable=False),
    sa.Column("category", sa.String(100), nullable=False),
    sa.Column("sex", sa.String(32), nullable=False),
    sa.Column("ethnicity", sa.String(32), nullable=False),
    sa.Column("camera", sa.String(200), nullable=False),
    sa.Column("raised_at", UtcDateTime, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("adjudication", enum(Adjudication), nullable=False),
    sa.Column("outcome", enum(Outcome)),
    sa.Column("outcome_note", sa.Text, nullable=False),
    sa.Column("adjudicated_by", sa.String(100)),
    sa.Column("adjudicated_at", UtcDateTime),
    sa.Column("biometrics_purged_at", UtcDateTime),
    sa.Column("corrected_by", sa.String(100)),
    sa.Column("corrected_at", UtcDateTime),
    sa.Column("correction_reason", sa.Text, nullable=False, server_default=""),
    sa.Column("seen_at", UtcDateTime),
    sa.Column("track_length", sa.Integer, nullable=False, server_default="0"),
    sa.Column("disposal", enum(Disposal)),
    sa.Column("disposal_note", sa.Text, nullable=False, server_default=""),
    sa.Column("disposal_recorded_by", sa.String(100)),
    sa.Column("disposal_recorded_at", UtcDateTime),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

# What a camera saw of everyone, as numbers only, per deployment, camera and hour.
camera_counts = sa.Table(
    "camera_counts",
    metadata,
    sa.Column("deployment_id", sa.ForeignKey("deployments.id"), primary_key=True),
    sa.Column("camera", sa.String(64), primary_key=True),
    sa.Column("hour", UtcDateTime, primary_key=True),
    sa.Column("frames", sa.Integer, nullable=False),
    sa.Column("faces", sa.Integer, nullable=False),
    sa.Column("below_gate", sa.Integer, nullable=False),
    sa.Column("tracks", sa.Integer, nullable=False),
    sa.Column("alerts", sa.Integer, nullable=False),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

# How long each alert took from its frame's arrival (decoded) to its commit, for the
# deployment's p50 and p95: written just after the alert's own transaction.
alert_latencies = sa.Table(
    "alert_latencies",
    metadata,
    sa.Column("alert_id", sa.ForeignKey("alerts.id"), primary_key=True),
    sa.Column("deployment_id", sa.ForeignKey("deployments.id"), nullable=False, index=True),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

# An alert's probe crop and reference image, sealed with the deployment's alert key.
alert_biometrics = sa.Table(
    "alert_biometrics",
    metadata,
    sa.Column("alert_id", sa.ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("probe", sa.LargeBinary, nullable=False),
    sa.Column("reference", sa.LargeBinary, nullable=False),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

# Data keys wrapped (AES-GCM) by the master key named by master_key_id.
data_keys = sa.Table(
    "data_keys",
    metadata,
    sa.Column("scope", sa.String(100), primary_key=True),
    sa.Column("wrapped", sa.LargeBinary, nullable=False),
    sa.Column("master_key_id", sa.String(32), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("mac", sa.String(64)),  # see store.integrity
)

# Append-only (triggers refuse UPDATE and DELETE); each hash covers the entry and the last hash.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),  # ISO text: hashed exactly as stored
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # canonical JSON
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# The rows each audit entry wrote (store.integrity): the row's MAC after the entry's action, or
# "" where it deleted the row. Hashed into the entry; append-only like the log.
audit_rows = sa.Table(
    "audit_rows",
    metadata,
    sa.Column("seq", sa.ForeignKey("audit_log.seq"), primary_key=True),
    sa.Column("tbl", sa.String(40), primary_key=True),
    sa.Column("row", sa.String(200), primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Index("ix_audit_rows_tbl_row", "tbl", "row", "seq"),
)

mapper = registry(metadata=metadata)


def map_domain() -> None:
    """Map the domain dataclasses onto their tables, once per process."""
    if mapper.mappers:
        return
    mapper.map_imperatively(User, users)
    mapper.map_imperatively(Camera, cameras)
    mapper.map_imperatively(Deployment, deployments)
    mapper.map_imperatively(Subject, subjects)
    mapper.map_imperatively(Alert, alerts)
