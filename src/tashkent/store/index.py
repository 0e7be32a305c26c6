"""The run index: one row per forecast run, in SQLite by default or PostgreSQL by URL (SQLAlchemy).

Each write is its own short transaction; SQLite runs in WAL mode with a busy timeout so that
concurrent runs never corrupt or lose each other's rows."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from tashkent.errors import UserError
from tashkent.store.paths import process_alive, resolve_db_url


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


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return " ".join(str(orig if orig is not None else exc).split()).split(" (Background")[0][:200]


@contextmanager
def guarded(url: str | None) -> Iterator[None]:
    """Database errors (not a database, locked, read-only, gone) as one-line `UserError`s."""
    try:
        yield
    except SQLAlchemyError as exc:
        where = resolve_db_url(url)
        hint = (
            "the folder or file is read-only; set TASHKENT_HOME to a writable folder"
            if "readonly" in _reason(exc) or "read-only" in _reason(exc)
            else "check --db / TASHKENT_DB, or move the file away to start a new index"
        )
        raise UserError(f"run index {where}: {_reason(exc)}; {hint}") from None


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
    except (NoSuchModuleError, ArgumentError):
        raise UserError(
            f"--db {resolved}: not a database URL tashkent can open; give a SQLite file path, "
            "sqlite:///PATH or postgresql://..."
        ) from None
    except OperationalError as exc:
        if resolved.startswith("sqlite") and "readonly" in _reason(exc).replace("-", ""):
            eng = _read_only(resolved)
        else:
            raise UserError(
                f"--db {resolved}: cannot open the run index ({_reason(exc)}); check the URL"
            ) from None
    except SQLAlchemyError as exc:
        raise UserError(
            f"--db {resolved}: cannot open the run index ({_reason(exc)}); "
            "check the path, or move the file away to start a new index"
        ) from None
    _engines[resolved] = eng
    return eng


def close_all() -> None:
    """Dispose of every engine opened so far (the resident worker does, before it forks)."""
    for eng in _engines.values():
        eng.dispose()
    _engines.clear()


def _read_only(resolved: str) -> Engine:
    """A SQLite index in a read-only place: open it for reading only (listing and showing runs)."""
    path = resolved.removeprefix("sqlite:///")
    return create_engine(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true")


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
    row["parameters"] = {
        **row.get("parameters", {}),
        "process": {"pid": os.getpid(), "host": socket.gethostname()},
    }
    with guarded(url), Session(engine_for(url)) as s, s.begin():
        s.merge(RunRow(**row))


def record_finish(
    url: str | None, run_id: str, status: str, seconds: float | None, headline: dict[str, Any] | None
) -> None:
    with guarded(url), Session(engine_for(url)) as s, s.begin():
        row = s.get(RunRow, run_id)
        if row is None:
            return
        if status == "running":  # resumed by this process
            row.parameters = {
                **(row.parameters or {}),
                "process": {"pid": os.getpid(), "host": socket.gethostname()},
            }
        row.status = status
        row.finished = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        row.seconds = seconds
        if headline is not None:
            row.headline = json.loads(json.dumps(headline))


def _alive(row: RunRow) -> bool:
    """Whether the process running `row` still exists (unknowable for another host: assume yes)."""
    proc = (row.parameters or {}).get("process") or {}
    pid, host = proc.get("pid"), proc.get("host")
    if not isinstance(pid, int) or host != socket.gethostname():
        return True
    return process_alive(pid)


def _shown(row: RunRow) -> RunRow:
    """A 'running' run whose process is gone (killed, machine rebooted) shows as interrupted."""
    if row.status == "running" and not _alive(row):
        row.status = "interrupted"
    return row


def list_runs(url: str | None, limit: int = 50) -> list[RunRow]:
    with guarded(url), Session(engine_for(url)) as s:
        rows = s.scalars(select(RunRow).order_by(RunRow.created.desc()).limit(limit)).all()
        s.expunge_all()
        return [_shown(r) for r in rows]


def get_run(url: str | None, run_id: str) -> RunRow:
    """A run by id or unique id prefix (matched literally: `%` and `_` are not wildcards)."""
    with guarded(url), Session(engine_for(url)) as s:
        row = s.get(RunRow, run_id)
        if row is None:
            rows = s.scalars(select(RunRow).where(RunRow.run_id.startswith(run_id, autoescape=True))).all()
            rows = [r for r in rows if r.run_id.startswith(run_id)]
            if len(rows) == 1:
                row = rows[0]
            elif len(rows) > 1:
                raise UserError(
                    f"run id {run_id!r} is ambiguous ({len(rows)} runs start with it); give more of it"
                )
        if row is None:
            raise UserError(f"no run {run_id!r} in the run index; see `tashkent runs list`")
        s.expunge(row)
        return _shown(row)


def delete_run(url: str | None, run_id: str) -> None:
    with guarded(url), Session(engine_for(url)) as s, s.begin():
        row = s.get(RunRow, run_id)
        if row is not None:
            s.delete(row)
