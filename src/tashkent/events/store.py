"""The event store: SQLAlchemy 2 tables `event_events` and `event_ingests` in the tashkent database
(SQLite file in TASHKENT_HOME by default, PostgreSQL by URL; `tashkent.store.paths.resolve_db_url`).

* Idempotent: every event has a unique `key` (dataset + the dataset's own event id, or a hash of
  the coded event); rows already present are skipped (`ON CONFLICT DO NOTHING`).
* Consistent when interrupted: rows go in batches, each its own transaction, so the table only
  ever holds whole rows; the `event_ingests` row says `running` until the file is finished.
  Re-running the same import completes it and adds nothing twice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from tashkent.events.model import Actor, Event
from tashkent.events.taxonomy import describe
from tashkent.store.paths import process_alive, resolve_db_url

metadata = MetaData()

events_table = Table(
    "event_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("dataset", String(20), nullable=False),
    Column("date", Date, index=True),
    Column("source_code", String(20), index=True),
    Column("source_sector", String(20)),
    Column("target_code", String(20), index=True),
    Column("target_sector", String(20)),
    Column("cameo", String(4), nullable=False),
    Column("goldstein", Float),
    Column("plover", String(20)),
    Column("text", Text),
    Column("ref", String(300)),  # document/story id and sentence, or the source URL
    Column("ingest_id", Integer),
)

ingests_table = Table(
    "event_ingests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False),
    Column("format", String(20), nullable=False),
    Column("started", DateTime, nullable=False),
    Column("finished", DateTime),
    Column("status", String(20), nullable=False),
    Column("rows_read", Integer, default=0),
    Column("rows_added", Integer, default=0),
    Column("rows_filtered", Integer, default=0),
    Column("rows_malformed", Integer, default=0),
    Column("malformed_lines", Text),  # JSON list of the first line numbers
)


class StoredEvent:
    """An event as kept in the store: its unique key, data set, reference and the event.

    Importers may give the database row (`row`, the columns of `_COLS` without `ingest_id`)
    instead of an `Event`; the event is then built only when asked for (fast bulk import)."""

    __slots__ = ("_event", "_row", "dataset", "key", "ref")

    def __init__(
        self,
        key: str,
        dataset: str,
        event: Event | None = None,
        ref: str = "",
        row: tuple[Any, ...] | None = None,
    ) -> None:
        if event is None and row is None:
            raise ValueError("StoredEvent needs an event or a row")
        self.key, self.dataset, self.ref = key, dataset, ref
        self._event, self._row = event, row

    @property
    def event(self) -> Event:
        if self._event is None:
            assert self._row is not None
            r = self._row
            self._event = _build_event(r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11] or r[0])
        return self._event


@dataclass
class IngestStats:
    path: str
    format: str
    rows_read: int = 0
    rows_added: int = 0
    rows_filtered: int = 0
    rows_malformed: int = 0
    malformed_lines: list[int] = field(default_factory=list)
    malformed_reasons: list[str] = field(default_factory=list)

    def malformed(self, line: int, reason: str, keep: int = 20) -> None:
        self.rows_malformed += 1
        if len(self.malformed_lines) < keep:
            self.malformed_lines.append(line)
            self.malformed_reasons.append(f"line {line}: {reason}")


class EventStore:
    """Events in a SQL database. `url` is a SQLAlchemy URL or a file path; None = the default."""

    def __init__(self, url: str | None = None, engine: Engine | None = None) -> None:
        self.url = resolve_db_url(url)
        self.engine = engine or create_engine(self.url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    def _insert(self) -> Any:
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(events_table).on_conflict_do_nothing(index_elements=["key"])
        if self.engine.dialect.name == "sqlite":
            return sqlite.insert(events_table).on_conflict_do_nothing(index_elements=["key"])
        return events_table.insert()

    def begin_ingest(self, path: str, fmt: str) -> int:
        with self.engine.begin() as conn:
            res = conn.execute(
                ingests_table.insert().values(
                    path=path,
                    format=fmt,
                    started=datetime.now(UTC).replace(tzinfo=None),
                    status=f"running:{os.getpid()}",
                    rows_added=0,
                )
            )
            pk = res.inserted_primary_key
            assert pk is not None
            return int(pk[0])

    def finish_ingest(self, ingest_id: int, stats: IngestStats, status: str = "complete") -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(ingests_table)
                .where(ingests_table.c.id == ingest_id)
                .values(
                    finished=datetime.now(UTC).replace(tzinfo=None),
                    status=status,
                    rows_read=stats.rows_read,
                    rows_added=stats.rows_added,
                    rows_filtered=stats.rows_filtered,
                    rows_malformed=stats.rows_malformed,
                    malformed_lines=json.dumps(stats.malformed_lines),
                )
            )

    def add(
        self,
        rows: Iterable[StoredEvent],
        ingest_id: int | None = None,
        batch: int = 20_000,
        committed: Callable[[int], None] | None = None,
    ) -> int:
        """Insert events in batches (one transaction each); returns how many were new. `committed`
        is told the new rows of each batch once its transaction is committed, so that a file that
        fails half-way records exactly what it stored."""
        added = 0
        for chunk in _chunks(rows, batch):
            before_batch = added
            with self.engine.begin() as conn:
                if self.engine.dialect.name == "sqlite":
                    # the DB-API directly: ~5x faster than SQLAlchemy's executemany of dicts
                    before = conn.exec_driver_sql("SELECT total_changes()").scalar_one()
                    conn.exec_driver_sql(_SQLITE_INSERT, [_tuple(r, ingest_id) for r in chunk])
                    after = conn.exec_driver_sql("SELECT total_changes()").scalar_one()
                    added += int(after - before)
                else:
                    res = conn.execute(self._insert(), [_row(r, ingest_id) for r in chunk])
                    added += max(int(res.rowcount or 0), 0)
                if ingest_id is not None:  # the log counts this batch in the batch's own transaction
                    conn.execute(
                        update(ingests_table)
                        .where(ingests_table.c.id == ingest_id)
                        .values(rows_added=ingests_table.c.rows_added + (added - before_batch))
                    )
            if committed is not None:
                committed(added - before_batch)
        return added

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(events_table)).scalar_one())

    def ingests(self) -> list[dict[str, Any]]:
        """The ingest log; an ingest whose process is gone (killed) shows as interrupted, with the
        rows its committed batches added."""
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(ingests_table))]
        for r in rows:
            status = str(r["status"])
            if status.startswith("running"):
                pid = status.partition(":")[2]
                r["status"] = "running" if not pid.isdigit() or process_alive(int(pid)) else "interrupted"
        return rows

    def query(
        self,
        dyad: tuple[str, str] | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """Events ordered by date; `dyad` matches either direction."""
        t = events_table
        q = select(t).order_by(t.c.date, t.c.id)
        if dyad:
            a, b = dyad
            q = q.where(
                or_(
                    (t.c.source_code == a) & (t.c.target_code == b),
                    (t.c.source_code == b) & (t.c.target_code == a),
                )
            )
        if since:
            q = q.where(t.c.date >= since)
        if until:
            q = q.where(t.c.date <= until)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [_from_row(r._mapping) for r in conn.execute(q)]


def _chunks(rows: Iterable[StoredEvent], n: int) -> Iterator[list[StoredEvent]]:
    buf: list[StoredEvent] = []
    for r in rows:
        buf.append(r)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf


_COLS = (
    "key",
    "dataset",
    "date",
    "source_code",
    "source_sector",
    "target_code",
    "target_sector",
    "cameo",
    "goldstein",
    "plover",
    "text",
    "ref",
    "ingest_id",
)
_SQLITE_INSERT = (
    f"INSERT OR IGNORE INTO event_events ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))})"
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA cache_size=-131072")  # 128 MB page cache: index upkeep on big imports
    cur.close()


def _tuple(r: StoredEvent, ingest_id: int | None) -> tuple[Any, ...]:
    if r._row is not None:
        return (*r._row, ingest_id)
    e = r.event
    s, t = e.source, e.target
    return (
        r.key,
        r.dataset,
        e.date.isoformat() if e.date else None,
        s.code if s else None,
        s.sector if s else None,
        t.code if t else None,
        t.sector if t else None,
        e.cameo,
        e.goldstein,
        e.plover,
        e.text or None,
        r.ref or None,
        ingest_id,
    )


def _row(r: StoredEvent, ingest_id: int | None) -> dict[str, Any]:
    e = r.event
    return {
        "key": r.key,
        "dataset": r.dataset,
        "date": e.date,
        "source_code": e.source.code if e.source else None,
        "source_sector": e.source.sector if e.source else None,
        "target_code": e.target.code if e.target else None,
        "target_sector": e.target.sector if e.target else None,
        "cameo": e.cameo,
        "goldstein": e.goldstein,
        "plover": e.plover,
        "text": e.text or None,
        "ref": r.ref or None,
        "ingest_id": ingest_id,
    }


def _build_event(
    when: Any,
    s_code: str | None,
    s_sec: str | None,
    t_code: str | None,
    t_sec: str | None,
    cameo: str,
    goldstein: float | None,
    plover: str | None,
    text: str | None,
    doc: str,
) -> Event:
    info = describe(cameo)
    if isinstance(when, str):
        when = date.fromisoformat(when)
    return Event(
        doc=doc,
        sentence=0,
        date=when,
        source=Actor(s_code, s_sec or "") if s_code else None,
        target=Actor(t_code, t_sec or "") if t_code else None,
        cameo=cameo,
        root=info.root,
        goldstein=goldstein if goldstein is not None else info.goldstein,
        quad=info.quad,
        penta=info.penta,
        plover=plover or info.plover,
        plover_mode=info.plover_mode,
        text=text or "",
    )


def _from_row(m: Any) -> StoredEvent:
    ev = _build_event(
        m["date"],
        m["source_code"],
        m["source_sector"],
        m["target_code"],
        m["target_sector"],
        m["cameo"],
        m["goldstein"],
        m["plover"],
        m["text"],
        m["ref"] or m["key"],
    )
    return StoredEvent(key=m["key"], dataset=m["dataset"], event=ev, ref=m["ref"] or "")
