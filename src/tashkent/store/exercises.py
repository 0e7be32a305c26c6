"""Exercise tables (exercises, seats, moves, injects, turns, package scores, web jobs) beside the
run index, in the same database (SQLite under TASHKENT_HOME by default, PostgreSQL by URL).

Writes go through `writing()`: on SQLite each write transaction starts with BEGIN IMMEDIATE (it takes
the write lock first, so a transaction never works on a stale snapshot); on PostgreSQL callers lock
the exercise row with SELECT ... FOR UPDATE. Either way a move is stamped with the turn current at
its commit, and an advance sees every move of the turn it closes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from tashkent.errors import UserError
from tashkent.store.paths import resolve_db_url


class ExBase(DeclarativeBase):
    pass


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ExerciseRow(ExBase):
    __tablename__ = "exercises"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime)
    title: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(128))
    turn: Mapped[int] = mapped_column(Integer)
    turn_days: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # open, ended
    facilitator_hash: Mapped[str] = mapped_column(String(64), index=True)
    world: Mapped[dict[str, Any]] = mapped_column(JSON)
    ahead: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class SeatRow(ExBase):
    __tablename__ = "exercise_seats"
    exercise_id: Mapped[str] = mapped_column(String(32), ForeignKey("exercises.id"), primary_key=True)
    seat: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    brief: Mapped[str] = mapped_column(Text, default="")


class MoveRow(ExBase):
    __tablename__ = "exercise_moves"
    __table_args__ = (Index("ix_moves_ex_turn", "exercise_id", "turn"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    exercise_id: Mapped[str] = mapped_column(String(32), ForeignKey("exercises.id"))
    turn: Mapped[int] = mapped_column(Integer)
    seat: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="")
    created: Mapped[dt.datetime] = mapped_column(DateTime)


class InjectRow(ExBase):
    __tablename__ = "exercise_injects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    exercise_id: Mapped[str] = mapped_column(String(32), ForeignKey("exercises.id"), index=True)
    turn: Mapped[int] = mapped_column(Integer)
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    created: Mapped[dt.datetime] = mapped_column(DateTime)


class TurnRow(ExBase):
    __tablename__ = "exercise_turns"
    exercise_id: Mapped[str] = mapped_column(String(32), ForeignKey("exercises.id"), primary_key=True)
    turn: Mapped[int] = mapped_column(Integer, primary_key=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime)
    result: Mapped[dict[str, Any] | None] = mapped_column(
        JSON(none_as_null=True), nullable=True
    )  # None: pending


class ScoreRow(ExBase):
    __tablename__ = "exercise_scores"
    exercise_id: Mapped[str] = mapped_column(String(32), ForeignKey("exercises.id"), primary_key=True)
    seat: Mapped[str] = mapped_column(String(32), primary_key=True)
    package: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    created: Mapped[dt.datetime] = mapped_column(DateTime)


class PositionRow(ExBase):
    """A seat's stated position on a settlement dimension (0–100, the bargaining scale)."""

    __tablename__ = "exercise_positions"
    exercise_id: Mapped[str] = mapped_column(String(32), ForeignKey("exercises.id"), primary_key=True)
    seat: Mapped[str] = mapped_column(String(32), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[float] = mapped_column(Float)
    created: Mapped[dt.datetime] = mapped_column(DateTime)


class JobRow(ExBase):
    """Background work of the web dashboard (forecasts, comparisons, package analyses)."""

    __tablename__ = "web_jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed, interrupted
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str] = mapped_column(String(1000), default="")


class ExerciseStore:
    """Engines on one database: a writer (exclusive transactions on SQLite) and a reader."""

    def __init__(self, url: str | None) -> None:
        self.url = resolve_db_url(url)
        self.sqlite = self.url.startswith("sqlite")
        try:
            self.reader = self._engine(immediate=False)
            self.writer = self._engine(immediate=True) if self.sqlite else self.reader
            for attempt in range(5):
                try:
                    ExBase.metadata.create_all(self.reader)
                    break
                except OperationalError as exc:
                    if "already exists" not in str(exc.orig) or attempt == 4:
                        raise
        except ModuleNotFoundError as exc:
            raise UserError(
                f"--db {self.url}: the database driver is not installed ({exc.name}); "
                "for PostgreSQL run: pip install 'tashkent[postgres]'"
            ) from None
        except OperationalError as exc:
            reason = " ".join(str(exc.orig).split())
            raise UserError(f"--db {self.url}: cannot open the database ({reason}); check the URL") from None

    def _engine(self, immediate: bool) -> Engine:
        if not self.sqlite:
            return create_engine(self.url, pool_pre_ping=True, pool_size=20, max_overflow=20)
        eng = create_engine(self.url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(eng, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return eng

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with Session(self.writer, expire_on_commit=False) as s, s.begin():
            yield s

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with Session(self.reader, expire_on_commit=False) as s, s.begin():
            yield s
