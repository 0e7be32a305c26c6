"""Streaming importers for event data sets: GDELT 1.0 and 2.0 (zipped or not), ICEWS, POLECAT, and
the coder's own JSON Lines. Each reader yields `StoredEvent`s one row at a time (memory bounded
whatever the file size), filtered by actors and dates; malformed rows are counted with their line
numbers and never abort the file.

Formats: GDELT Data Format Codebook v1.03 (2013) and GDELT 2.0 Event Codebook (57/58 and 61
tab-separated fields); ICEWS (20 columns with a header); POLECAT (40 columns with a header).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO

from tashkent.errors import UserError
from tashkent.events.dictionaries import load_dictionaries
from tashkent.events.model import Actor, Event
from tashkent.events.store import EventStore, IngestStats, StoredEvent
from tashkent.events.taxonomy import cameo_table, normalise_code

FORMATS = ("gdelt1", "gdelt2", "icews", "polecat", "jsonl")

# PLOVER event type → a representative CAMEO code (POLECAT has no CAMEO codes)
PLOVER_TO_CAMEO = {
    "AGREE": "030",
    "CONSULT": "040",
    "SUPPORT": "051",
    "CONCEDE": "080",
    "COOPERATE": "060",
    "AID": "070",
    "RETREAT": "087",
    "REQUEST": "020",
    "ACCUSE": "112",
    "REJECT": "120",
    "THREATEN": "130",
    "PROTEST": "140",
    "SANCTION": "160",
    "MOBILIZE": "154",
    "COERCE": "170",
    "ASSAULT": "190",
}
_POLECAT_MODE = {
    ("SANCTION", "expel"): "161",
    ("SANCTION", "withdraw"): "164",
    ("COERCE", "restrict"): "191",
    ("ASSAULT", "aerial"): "195",
    ("ASSAULT", "heavy-weapons"): "194",
    ("ASSAULT", "firearms"): "193",
    ("MOBILIZE", "troops"): "154",
    ("RETREAT", "ceasefire"): "0871",
    ("ASSAULT", "explosives"): "183",
    ("ASSAULT", "suicide-attack"): "1831",
}


@dataclass(frozen=True)
class Filter:
    """Keep rows whose source or target is one of `actors` (None = all) within the dates."""

    actors: frozenset[str] | None = None
    since: date | None = None
    until: date | None = None

    def keep(self, src: str | None, tgt: str | None, when: date | None) -> bool:
        if self.actors is not None and not ((src in self.actors) or (tgt in self.actors)):
            return False
        if when is not None:
            if self.since and when < self.since:
                return False
            if self.until and when > self.until:
                return False
        return True


@contextmanager
def open_text(path: Path) -> Iterator[IO[str]]:
    """Open a text file, `-` (standard input) or the first member of a .zip archive."""
    if str(path) == "-":
        yield sys.stdin
        return
    if not Path(path).exists():
        raise UserError(f"{path}: file not found; give an existing event file")
    if str(path).lower().endswith(".zip"):
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise UserError(
                f"{path}: not a valid zip archive; give the .zip as downloaded or the unzipped file"
            ) from None
        with zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            if not names:
                raise UserError(f"{path}: the zip archive is empty")
            with zf.open(names[0]) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        return
    try:
        fh = open(path, encoding="utf-8", errors="replace", newline="")  # noqa: SIM115
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror}); give a readable event file") from None
    with fh:
        yield fh


def detect_format(path: Path) -> str:
    """Guess the format from the first line: header names, or the number of tab fields."""
    name = str(path).lower()
    if name.endswith((".jsonl", ".json")):
        return "jsonl"
    with open_text(path) as fh:
        first = fh.readline()
    if first.lstrip().startswith("{"):
        return "jsonl"
    if "CAMEO Code" in first:
        return "icews"
    if "Event Type" in first and ("Quad Code" in first or "Event Mode" in first):
        return "polecat"
    n = len(first.rstrip("\r\n").split("\t"))
    if n == 61:
        return "gdelt2"
    if n in (57, 58):
        return "gdelt1"
    raise UserError(
        f"{path}:1: cannot tell the format ({n} tab-separated fields); give "
        "--format gdelt1|gdelt2|icews|polecat|jsonl"
    )


MAX_LINE = 65_536  # characters in one row of an event file; longer rows are counted malformed
MAX_CODE = 16  # characters in an actor, sector or event code (GDELT codes have at most 15)
FIRST_YEAR, LAST_YEAR = 1800, 2100  # event dates outside these years are malformed


def _day(s: str) -> date:
    s = s.strip()
    if len(s) == 8 and s.isdigit():
        d = date(int(s[:4]), int(s[4:6]), int(s[6:]))
    else:
        d = date.fromisoformat(s[:10])
    return _plausible(d)


def _plausible(d: date) -> date:
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise ValueError(f"year {d.year} outside {FIRST_YEAR}-{LAST_YEAR}")
    return d


def _goldstein(raw: str) -> float | None:
    """A Goldstein score in [-10, 10] or None when empty; ValueError otherwise."""
    if not raw:
        return None
    g = float(raw)
    if not -10.0 <= g <= 10.0:  # also refuses NaN and infinities
        raise ValueError(raw)
    return g


def _code_ok(*codes: str | None) -> bool:
    return all(c is None or (len(c) <= MAX_CODE and c.isalnum()) for c in codes if c)


def bounded_lines(fh: IO[str], stats: IngestStats, start: int = 1) -> Iterator[tuple[int, str]]:
    """(line number, line) of a text stream, reading at most MAX_LINE characters of any line: a longer
    line is skipped (counted as malformed) without ever being held in memory whole."""
    lineno = start - 1
    while True:
        line = fh.readline(MAX_LINE + 1)
        if not line:
            return
        lineno += 1
        if len(line) > MAX_LINE and not line.endswith("\n"):
            while line and not line.endswith("\n"):
                line = fh.readline(MAX_LINE + 1)
            stats.rows_read += 1
            stats.malformed(lineno, f"line longer than {MAX_LINE:,} characters")
            continue
        yield lineno, line


def _event(
    cameo: str,
    src: Actor | None,
    tgt: Actor | None,
    when: date | None,
    doc: str,
    goldstein: float | None = None,
    text: str = "",
    plover: str | None = None,
) -> Event:
    info = cameo_table()[cameo]
    return Event(
        doc=doc,
        sentence=0,
        date=when,
        source=src,
        target=tgt,
        cameo=cameo,
        root=info.root,
        goldstein=info.goldstein if goldstein is None else goldstein,
        quad=info.quad,
        penta=info.penta,
        plover=plover or info.plover,
        plover_mode=info.plover_mode,
        text=text,
    )


def _gdelt_actor(code: str, country: str, type1: str) -> Actor | None:
    c = country or code[:3]
    if not c:
        return None
    sector = type1 or (code[3:6] if len(code) >= 6 else "")
    return Actor(c, sector)


@cache
def _day_iso(s: str) -> str:
    """YYYYMMDD → YYYY-MM-DD, validated (cached: a file holds few distinct days)."""
    return _day(s).isoformat()


@cache
def _plover_of() -> dict[str, str]:
    return {c: i.plover for c, i in cameo_table().items()}


def read_gdelt(fh: IO[str], version: int, flt: Filter, stats: IngestStats) -> Iterator[StoredEvent]:
    widths = {1: (57, 58), 2: (61,)}[version]
    url_col = {1: 57, 2: 60}[version]
    dataset = f"gdelt{version}"
    plover = _plover_of()
    actors = flt.actors
    since = flt.since.isoformat() if flt.since else None
    until = flt.until.isoformat() if flt.until else None
    for lineno, line in bounded_lines(fh, stats):
        if not line.strip():
            continue
        stats.rows_read += 1
        f = line.rstrip("\r\n").split("\t")
        if len(f) not in widths:
            stats.malformed(lineno, f"{len(f)} fields, expected {' or '.join(map(str, widths))}")
            continue
        try:
            when = _day_iso(f[1])
        except ValueError:
            stats.malformed(lineno, f"Day {f[1][:20]!r} is not a date YYYYMMDD in {FIRST_YEAR}-{LAST_YEAR}")
            continue
        src = f[7] or f[5][:3] or None
        tgt = f[17] or f[15][:3] or None
        if not _code_ok(f[5], f[7], f[12], f[15], f[17], f[22], f[26]):
            stats.malformed(
                lineno, f"an actor or event code is longer than {MAX_CODE} characters or not alphanumeric"
            )
            continue
        if (
            (actors is not None and src not in actors and tgt not in actors)
            or (since and when < since)
            or (until and when > until)
        ):
            stats.rows_filtered += 1
            continue
        code = f[26] if f[26] in plover else normalise_code(f[26])
        if code is None:
            stats.malformed(lineno, f"EventCode {f[26]!r} is not a CAMEO code")
            continue
        try:
            g = _goldstein(f[30])
        except ValueError:
            stats.malformed(lineno, f"GoldsteinScale {f[30][:20]!r} is not a number in [-10, 10]")
            continue
        url = f[url_col] if len(f) > url_col else ""
        key = f"gdelt:{f[0]}"
        row = (
            key,
            dataset,
            when,
            src,
            (f[12] or f[5][3:6]) if src else None,
            tgt,
            (f[22] or f[15][3:6]) if tgt else None,
            code,
            g,
            plover[code],
            None,
            url or f[0],
        )
        yield StoredEvent(key, dataset, ref=url, row=row)


_ICEWS_SECTORS = (
    ("military", "MIL"),
    ("police", "COP"),
    ("rebel", "REB"),
    ("insurgent", "REB"),
    ("judicial", "JUD"),
    ("legislative", "LEG"),
    ("opposition", "OPP"),
    ("government", "GOV"),
    ("executive", "GOV"),
    ("foreign ministry", "GOV"),
    ("business", "BUS"),
    ("media", "MED"),
)


@cache
def _country_codes() -> dict[str, str]:
    d = load_dictionaries()
    return {k.lower(): e.code for k, e in d.surface.items() if e.kind == "country"}


def country_code(name: str) -> str | None:
    """A country name ("India", "Russian Federation") or 3-letter code → CAMEO code."""
    n = name.strip()
    if not n or n in ("NA", "None"):
        return None
    if len(n) == 3 and n.isupper():
        return n
    return _country_codes().get(n.lower())


def _sector(sectors: str) -> str:
    low = sectors.lower()
    for word, code in _ICEWS_SECTORS:
        if word in low:
            return code
    return ""


def _header_reader(
    fh: IO[str], required: list[str], path: str, stats: IngestStats
) -> tuple[Iterator[tuple[int, list[str]]], dict[str, int]]:
    reader = csv.reader(
        (line for _, line in bounded_lines(fh, stats)), delimiter="\t", quoting=csv.QUOTE_NONE
    )
    header = next(reader, None) or []
    header = [h.strip().lstrip("\ufeff") for h in header]
    col = {h: i for i, h in enumerate(header)}
    missing = [r for r in required if r not in col]
    if missing:
        raise UserError(f"{path}:1: header lacks column(s) {', '.join(missing)}; is this the right --format?")
    return ((i, row) for i, row in enumerate(reader, start=2)), col


def _dated_dyad(
    row: list[str],
    col: dict[str, int],
    source_col: str,
    target_col: str,
    lineno: int,
    flt: Filter,
    stats: IngestStats,
    date_chars: int | None = None,
) -> tuple[date, str | None, str | None] | None:
    """The row's `Event Date` and source/target country codes, or None when the date is malformed
    (counted with its line) or the filter drops the row (counted). `date_chars` keeps only that
    many leading characters of the date (POLECAT dates may carry a time)."""
    raw = row[col["Event Date"]]
    try:
        when = _plausible(date.fromisoformat(raw.strip()[:date_chars]))
    except ValueError:
        stats.malformed(
            lineno, f"Event Date {raw[:30]!r} is not a date YYYY-MM-DD in {FIRST_YEAR}-{LAST_YEAR}"
        )
        return None
    src = country_code(row[col[source_col]])
    tgt = country_code(row[col[target_col]])
    if not flt.keep(src, tgt, when):
        stats.rows_filtered += 1
        return None
    return when, src, tgt


def read_icews(fh: IO[str], flt: Filter, stats: IngestStats, path: str = "") -> Iterator[StoredEvent]:
    req = ["Event ID", "Event Date", "Source Country", "CAMEO Code", "Target Country"]
    rows, col = _header_reader(fh, req, path, stats)
    for lineno, row in rows:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        stats.rows_read += 1
        if len(row) < len(col):
            row = row + [""] * (len(col) - len(row))
            if len(row) < max(col[r] for r in req) + 1:
                stats.malformed(lineno, "too few columns")
                continue
        dyad = _dated_dyad(row, col, "Source Country", "Target Country", lineno, flt, stats)
        if dyad is None:
            continue
        when, src, tgt = dyad
        code = normalise_code(row[col["CAMEO Code"]])
        if code is None:
            stats.malformed(lineno, f"CAMEO Code {row[col['CAMEO Code']]!r} is not a CAMEO code")
            continue
        g = None
        if "Intensity" in col:
            try:
                g = _goldstein(row[col["Intensity"]].strip())
            except ValueError:
                stats.malformed(
                    lineno, f"Intensity {row[col['Intensity']][:20]!r} is not a number in [-10, 10]"
                )
                continue
        sa = Actor(
            src or "",
            _sector(row[col.get("Source Sectors", 0)] if "Source Sectors" in col else ""),
            row[col["Source Name"]] if "Source Name" in col else "",
        )
        ta = Actor(
            tgt or "",
            _sector(row[col["Target Sectors"]] if "Target Sectors" in col else ""),
            row[col["Target Name"]] if "Target Name" in col else "",
        )
        text = row[col["Event Text"]] if "Event Text" in col else ""
        ref = row[col["Story ID"]] if "Story ID" in col else ""
        ev = _event(code, sa if src else None, ta if tgt else None, when, doc=ref, goldstein=g, text=text)
        yield StoredEvent(
            key=f"icews:{row[col['Event ID']]}:{when.isoformat()}",
            dataset="icews",
            event=ev,
            ref=ref,
        )


def read_polecat(fh: IO[str], flt: Filter, stats: IngestStats, path: str = "") -> Iterator[StoredEvent]:
    req = ["Event ID", "Event Date", "Event Type", "Actor Country", "Recipient Country"]
    rows, col = _header_reader(fh, req, path, stats)
    for lineno, row in rows:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if row[0].strip() == "Event ID":  # misformatted files repeat the header
            continue
        stats.rows_read += 1
        if len(row) < max(col[r] for r in req) + 1:
            stats.malformed(lineno, "too few columns")
            continue
        dyad = _dated_dyad(row, col, "Actor Country", "Recipient Country", lineno, flt, stats, date_chars=10)
        if dyad is None:
            continue
        when, src, tgt = dyad
        etype = row[col["Event Type"]].strip().upper()
        mode = row[col["Event Mode"]].strip().lower() if "Event Mode" in col else ""
        code = _POLECAT_MODE.get((etype, mode)) or PLOVER_TO_CAMEO.get(etype)
        if code is None:
            stats.malformed(lineno, f"Event Type {etype!r} is not a PLOVER event type")
            continue
        sec = "Primary Actor Sector"
        rsec = "Primary Recipient Sector"
        sa = Actor(src, row[col[sec]].strip()[:3].upper() if sec in col else "") if src else None
        ta = Actor(tgt, row[col[rsec]].strip()[:3].upper() if rsec in col else "") if tgt else None
        ev = _event(code, sa, ta, when, doc=row[col["Event ID"]], plover=etype)
        yield StoredEvent(
            key=f"polecat:{row[col['Event ID']]}",
            dataset="polecat",
            event=ev,
            ref=row[col["Event ID"]],
        )


def read_jsonl(fh: IO[str], flt: Filter, stats: IngestStats) -> Iterator[StoredEvent]:
    """Coded events as printed by `tashkent events code --json`."""
    for lineno, line in bounded_lines(fh, stats):
        if not line.strip():
            continue
        stats.rows_read += 1
        try:
            ev = Event.from_json(json.loads(line))
            _goldstein(repr(ev.goldstein))
            if ev.date is not None:
                _plausible(ev.date)
            if not _code_ok(*(a.code for a in (ev.source, ev.target) if a is not None)):
                raise ValueError(f"actor codes longer than {MAX_CODE} characters or not alphanumeric")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            stats.malformed(lineno, f"not a coded event ({' '.join(str(exc).split())[:80]})")
            continue
        if not flt.keep(
            ev.source.code if ev.source else None, ev.target.code if ev.target else None, ev.date
        ):
            stats.rows_filtered += 1
            continue
        h = hashlib.sha1(
            json.dumps(
                [
                    ev.doc,
                    ev.sentence,
                    ev.cameo,
                    ev.text,
                    ev.source.code if ev.source else None,
                    ev.target.code if ev.target else None,
                    ev.date.isoformat() if ev.date else None,
                ]
            ).encode()
        )
        yield StoredEvent(
            key=f"coded:{h.hexdigest()}", dataset="coded", event=ev, ref=f"{ev.doc}#{ev.sentence}"
        )


def read_events(path: Path, fmt: str, flt: Filter, stats: IngestStats) -> Iterator[StoredEvent]:
    """Stream the events of one file (any supported format)."""
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r} is unknown; use one of {', '.join(FORMATS)} or auto")
    with open_text(path) as fh:
        if fmt == "gdelt1":
            yield from read_gdelt(fh, 1, flt, stats)
        elif fmt == "gdelt2":
            yield from read_gdelt(fh, 2, flt, stats)
        elif fmt == "icews":
            yield from read_icews(fh, flt, stats, str(path))
        elif fmt == "polecat":
            yield from read_polecat(fh, flt, stats, str(path))
        else:
            yield from read_jsonl(fh, flt, stats)


def ingest(
    path: Path, store: EventStore, fmt: str = "auto", flt: Filter | None = None, batch: int = 20_000
) -> IngestStats:
    """Import one file into the store (idempotent; see `tashkent.events.store`)."""
    fmt = detect_format(path) if fmt == "auto" else fmt
    stats = IngestStats(path=str(path), format=fmt)
    ingest_id = store.begin_ingest(str(path), fmt)

    def committed(n: int) -> None:
        stats.rows_added += n

    try:
        store.add(read_events(path, fmt, flt or Filter(), stats), ingest_id, batch=batch, committed=committed)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        store.finish_ingest(ingest_id, stats, status="interrupted")
        raise UserError(
            f"{path}: unreadable after {stats.rows_read:,} rows ({type(exc).__name__}: {exc}); "
            f"{stats.rows_added:,} new events from before that were stored and logged; ingesting a good "
            "copy adds the rest without duplicates"
        ) from None
    except BaseException:
        store.finish_ingest(ingest_id, stats, status="interrupted")
        raise
    store.finish_ingest(ingest_id, stats)
    return stats
