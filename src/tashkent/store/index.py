"""The run index: one row per forecast run, in SQLite by default or PostgreSQL by URL (SQLAlchemy).

Each write is its own short transaction; SQLite runs in WAL mode with a busy timeout so that
concurrent runs never corrupt or lose each other's rows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from tashkent.errors import UserError
from tashkent.store.paths import resolve_db_url


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "runs"
    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime)
    finished: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    scenario: Mapped[str] = mapped_column(String(128))
    scenario_hash: Mapped[str] = mapped_column(String(32))
    seed: Mapped[int] = mapped_column(Integer)
    runs: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(32))
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    run_dir: Mapped[str] = mapped_column(String(1024))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    headline: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


_engines: dict[str, Engine] = {}


def engine_for(url: str | None) -> Engine:
    resolved = resolve_db_url(url)
    if resolved in _engines:
        return _engines[resolved]
    try:
        if resolved.startswith("sqlite"):
            eng = create_engine(resolved, connect_args={"timeout": 60})

            @event.listens_for(eng, "connect")
            def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=60000")
                cur.close()
        else:
            eng = create_engine(resolved, pool_pre_ping=True)
        _create_tables(eng)
    except ModuleNotFoundError as exc:
        raise UserError(
            f"--db {resolved}: the database driver is not installed ({exc.name}); "
            "for PostgreSQL run: pip install 'tashkent[postgres]'"
        ) from None
    except OperationalError as exc:
        reason = " ".join(str(exc.orig).split())  # drivers print multi-line messages
        raise UserError(f"--db {resolved}: cannot open the run index ({reason}); check the URL") from None
    _engines[resolved] = eng
    return eng


def _create_tables(eng: Engine) -> None:
    """Create the tables; another process creating them at the same moment is fine."""
    for attempt in range(5):
        try:
            Base.metadata.create_all(eng)
            return
        except OperationalError as exc:
            if "already exists" not in str(exc.orig) or attempt == 4:
                raise


def record_start(url: str | None, row: dict[str, Any]) -> None:
    with Session(engine_for(url)) as s, s.begin():
        s.merge(RunRow(**row))


def record_finish(
    url: str | None, run_id: str, status: str, seconds: float | None, headline: dict[str, Any] | None
) -> None:
    with Session(engine_for(url)) as s, s.begin():
        row = s.get(RunRow, run_id)
        if row is None:
            return
        row.status = status
        row.finished = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        row.seconds = seconds
        if headline is not None:
            row.headline = json.loads(json.dumps(headline))


def list_runs(url: str | None, limit: int = 50) -> list[RunRow]:
    with Session(engine_for(url)) as s:
        rows = s.scalars(select(RunRow).order_by(RunRow.created.desc()).limit(limit)).all()
        s.expunge_all()
        return list(rows)


def get_run(url: str | None, run_id: str) -> RunRow:
    """A run by id or unique id prefix."""
    with Session(engine_for(url)) as s:
        row = s.get(RunRow, run_id)
        if row is None:
            rows = s.scalars(select(RunRow).where(RunRow.run_id.startswith(run_id))).all()
            if len(rows) == 1:
                row = rows[0]
            elif len(rows) > 1:
                raise UserError(
                    f"run id {run_id!r} is ambiguous ({len(rows)} runs start with it); give more of it"
                )
        if row is None:
            raise UserError(f"no run {run_id!r} in the run index; see `tashkent runs list`")
        s.expunge(row)
        return row
