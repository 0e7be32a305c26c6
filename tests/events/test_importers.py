from datetime import date
from pathlib import Path

import pytest

from tashkent.errors import UserError
from tashkent.events.importers import Filter, detect_format, ingest
from tashkent.events.store import EventStore

from .samples import (
    ICEWS_HEADER,
    POLECAT_HEADER,
    gdelt_row,
    icews_row,
    polecat_row,
    write_gdelt,
)


@pytest.fixture
def store(tmp_path: Path) -> EventStore:
    return EventStore(str(tmp_path / "events.db"))


def _gdelt_rows(version: int) -> list[str]:
    return [
        gdelt_row(1, "20250423", "IND", "PAK", "160", version),
        gdelt_row(2, "20250424", "PAK", "IND", "191", version),
        gdelt_row(3, "20250504", "RUS", "IND", "039", version, goldstein="5.0"),
        gdelt_row(4, "20250504", "USA", "CHN", "040", version),
        "this is not a gdelt row",
        gdelt_row(5, "2025-05-x", "IND", "PAK", "190", version),
        gdelt_row(6, "20250507", "IND", "PAK", "XYZ", version),
        gdelt_row(7, "20250507", "IND", "PAK", "195", version),
    ]


@pytest.mark.parametrize("version,zipped", [(1, False), (2, False), (2, True), (1, True)])
def test_gdelt_import_filters_counts_and_is_idempotent(tmp_path, store, version, zipped):
    name = f"2025.{'export.CSV' if version == 2 else 'CSV'}" + (".zip" if zipped else "")
    path = write_gdelt(tmp_path / name, _gdelt_rows(version), zipped)
    assert detect_format(path) == f"gdelt{version}"
    flt = Filter(frozenset({"IND", "PAK"}))
    st = ingest(path, store, "auto", flt)
    assert (st.rows_read, st.rows_added, st.rows_filtered, st.rows_malformed) == (8, 4, 1, 3)
    assert st.malformed_lines == [5, 6, 7]
    again = ingest(path, store, "auto", flt)
    assert again.rows_added == 0
    assert store.count() == 4
    rows = store.query(("IND", "PAK"))
    assert [r.event.cameo for r in rows] == ["160", "191", "195"]
    assert rows[0].event.source.code == "IND" and rows[0].event.target.code == "PAK"
    assert store.query(since=date(2025, 5, 1))[0].event.cameo == "039"
    assert [i["status"] for i in store.ingests()] == ["complete", "complete"]


def test_date_filter(tmp_path, store):
    path = write_gdelt(tmp_path / "a.export.CSV", _gdelt_rows(2))
    st = ingest(path, store, "gdelt2", Filter(None, date(2025, 4, 24), date(2025, 5, 4)))
    assert st.rows_added == 3


def test_icews(tmp_path, store):
    p = tmp_path / "events.2025.tab"
    p.write_text(
        "\n".join(
            [
                ICEWS_HEADER,
                icews_row("10", "2025-04-23", "India", "161", "Pakistan"),
                icews_row("10", "2025-04-24", "India", "163", "Pakistan"),
                icews_row("11", "bad-date", "India", "163", "Pakistan"),
                icews_row("12", "2025-04-24", "Japan", "040", "China"),
            ]
        )
        + "\n"
    )
    assert detect_format(p) == "icews"
    st = ingest(p, store, "auto", Filter(frozenset({"IND"})))
    assert (st.rows_added, st.rows_malformed, st.rows_filtered) == (2, 1, 1)
    assert st.malformed_lines == [4]
    ev = store.query()[0].event
    assert (ev.source.label(), ev.cameo, ev.target.label()) == ("IND-GOV", "161", "PAK-MIL")
    assert ingest(p, store, "icews").rows_added == 1  # only the unfiltered Japan row is new


def test_polecat(tmp_path, store):
    p = tmp_path / "polecat.tsv"
    p.write_text(
        "\n".join(
            [
                POLECAT_HEADER,
                polecat_row("a1", "2025-05-07", "ASSAULT", "aerial", "IND", "PAK"),
                POLECAT_HEADER,  # misformatted files repeat the header
                polecat_row("a2", "2025-05-08", "NOPE", "", "PAK", "IND"),
                polecat_row("a3", "2025-05-10", "RETREAT", "ceasefire", "Pakistan", "India"),
            ]
        )
        + "\n"
    )
    assert detect_format(p) == "polecat"
    st = ingest(p, store)
    assert (st.rows_added, st.rows_malformed) == (2, 1)
    codes = [(r.event.source.code, r.event.cameo, r.event.plover) for r in store.query()]
    assert codes == [("IND", "195", "ASSAULT"), ("PAK", "0871", "RETREAT")]


def test_interrupted_import_leaves_whole_batches_and_can_be_resumed(tmp_path, store, monkeypatch):
    rows = [gdelt_row(i, "20250501", "IND", "PAK", "190") for i in range(1, 26)]
    path = write_gdelt(tmp_path / "b.export.CSV", rows)
    import tashkent.events.importers as imp

    real = imp.read_events

    def dying(*a, **k):
        for n, r in enumerate(real(*a, **k)):
            if n == 12:
                raise KeyboardInterrupt
            yield r

    monkeypatch.setattr(imp, "read_events", dying)
    with pytest.raises(KeyboardInterrupt):
        ingest(path, store, "gdelt2", batch=5)
    assert store.count() == 10  # two whole batches, nothing partial
    assert store.ingests()[0]["status"] == "interrupted"
    monkeypatch.setattr(imp, "read_events", real)
    st = ingest(path, store, "gdelt2", batch=5)
    assert st.rows_added == 15 and store.count() == 25


def test_bad_files_fail_with_one_line_errors(tmp_path, store):
    with pytest.raises(UserError, match="file not found"):
        ingest(tmp_path / "missing.csv", store)
    junk = tmp_path / "junk.txt"
    junk.write_text("a\tb\tc\n")
    with pytest.raises(UserError, match=r"junk.txt:1: cannot tell the format"):
        ingest(junk, store)
    badzip = tmp_path / "x.zip"
    badzip.write_bytes(b"not a zip")
    with pytest.raises(UserError, match="not a valid zip"):
        ingest(badzip, store, "gdelt2")
    icews = tmp_path / "i.tab"
    icews.write_text("Event ID\tfoo\n1\t2\n")
    with pytest.raises(UserError, match="header lacks column"):
        ingest(icews, store, "icews")


def test_coded_jsonl_ingest_is_idempotent_and_counts_bad_lines(tmp_path, store):
    import json

    from tashkent.events.coder import code_text

    evs = code_text("India expelled Pakistani diplomats. Russia offered to mediate.", when=date(2025, 5, 4))
    p = tmp_path / "coded.jsonl"
    p.write_text("\n".join(json.dumps(e.to_json()) for e in evs) + '\n{"cameo": "nope"}\nnot json\n')
    assert detect_format(p) == "jsonl"
    st = ingest(p, store)
    assert (st.rows_added, st.rows_malformed, st.malformed_lines) == (2, 2, [3, 4])
    assert ingest(p, store).rows_added == 0
    got = [(r.event.source.code, r.event.cameo, r.dataset) for r in store.query()]
    assert got == [("IND", "161", "coded"), ("RUS", "039", "coded")]


def test_a_folder_is_a_one_line_error(tmp_path, store):
    with pytest.raises(UserError, match="cannot read"):
        ingest(tmp_path, store, "gdelt2")
