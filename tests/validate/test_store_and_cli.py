"""The run store checks what it reads; the command line refuses bad arguments and environments with
one line; faults (a killed process, a stale run) are reported as what they are."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tashkent.store import index

from .helpers import one_clean_line, run_cli

SMALL = ("-n", "400", "-d", "20", "--chunk-runs", "100", "--workers", "1", "--json")


def _run(*extra: str) -> tuple[str, Path]:
    code, out, err = run_cli("forecast", *SMALL, *extra)
    assert code == 0, err
    doc = json.loads(out)
    return doc["run_id"], Path(index.get_run(None, doc["run_id"]).run_dir)


def test_foreign_or_truncated_chunk_is_refused_by_name_and_repair_restores_the_numbers():
    a, dir_a = _run()
    _, dir_b = _run("--seed", "7")
    original = json.loads((dir_a / "summary.json").read_text())
    chunk = dir_a / "chunks" / "chunk_00000001.npz"
    shutil.copy(dir_b / "chunks" / "chunk_00000001.npz", chunk)  # a chunk of another run
    index.record_finish(None, a, "interrupted", None, None)
    line = one_clean_line(*run_cli("forecast", "--resume", a)[::2])
    assert "chunk_00000001.npz" in line and "runs repair" in line
    chunk.write_bytes(chunk.read_bytes()[:100])  # truncated
    line = one_clean_line(*run_cli("forecast", "--resume", a)[::2])
    assert "chunk_00000001.npz" in line
    code, out, _ = run_cli("runs", "repair", a)
    assert code == 0 and "chunks/chunk_00000001.npz" in out
    code, out, err = run_cli("forecast", "--resume", a, "--json")
    assert code == 0, err
    assert json.loads(out)["milestones"] == original["milestones"]  # bit-identical after repair


def test_truncated_results_and_manifest_are_one_line_errors():
    a, run_dir = _run()
    summary = run_dir / "summary.json"
    summary.write_text(summary.read_text()[:200])
    assert "summary.json" in one_clean_line(*run_cli("runs", "show", a, "--json")[::2])
    assert "summary.json" in one_clean_line(*run_cli("runs", "show", a)[::2])
    daily = run_dir / "daily.parquet"
    daily.write_bytes(daily.read_bytes()[:50])
    one_clean_line(*run_cli("report", a)[::2])
    (run_dir / "manifest.json").write_text("{")
    assert "manifest.json" in one_clean_line(*run_cli("runs", "show", a, "--json")[::2])
    code, _, _ = run_cli("runs", "delete", a)
    assert code == 0 and not run_dir.exists()
    one_clean_line(*run_cli("runs", "show", a)[::2])


def test_deleted_run_folder_is_named():
    a, run_dir = _run()
    shutil.rmtree(run_dir)
    assert "is gone" in one_clean_line(*run_cli("runs", "show", a)[::2])


def test_run_ids_are_literal_prefixes():
    a, _ = _run()
    one_clean_line(*run_cli("runs", "show", "%" + a[1:8])[::2])
    one_clean_line(*run_cli("runs", "show", a[:3] + "_" + a[4:10])[::2])
    assert run_cli("runs", "show", a[:12])[0] == 0


def test_resuming_a_complete_run_keeps_its_duration():
    a, _ = _run()
    before = index.get_run(None, a).seconds
    code, out, _ = run_cli("forecast", "--resume", a, "--json")
    assert code == 0 and json.loads(out)["run_id"] == a
    assert index.get_run(None, a).seconds == before


def test_a_running_run_whose_process_is_gone_shows_as_interrupted():
    a, _ = _run()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    row = index.get_run(None, a)
    params = dict(row.parameters)
    params["process"] = {"pid": gone.pid, "host": params["process"]["host"]}
    from sqlalchemy.orm import Session

    with Session(index.engine_for(None)) as s, s.begin():
        r = s.get(index.RunRow, a)
        assert r is not None
        r.status = "running"
        r.parameters = params
    assert index.get_run(None, a).status == "interrupted"
    assert [r.status for r in index.list_runs(None, 5) if r.run_id == a] == ["interrupted"]


def test_bad_arguments_and_environments_are_one_line(tmp_path, monkeypatch):
    for args in (
        ("forecast", "-n", str(10**12)),
        ("forecast", "-d", "99999"),
        ("forecast", "--workers", "1000"),
        ("runs", "list", "--limit", str(2**64)),
        ("forecast", "-n", "150"),
    ):
        one_clean_line(*run_cli(*args)[::2])
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100)
    assert "notes.db" in one_clean_line(*run_cli("runs", "list", "--db", str(text))[::2])
    assert "foo://" in one_clean_line(*run_cli("runs", "list", "--db", "foo://bar")[::2])
    a, _ = _run()
    out_dir = tmp_path / "folder"
    out_dir.mkdir()
    one_clean_line(*run_cli("report", a, "--out", str(out_dir))[::2])
    monkeypatch.setenv("TASHKENT_HOME", str(text))
    assert "notes.db" in one_clean_line(*run_cli("runs", "list")[::2])


def test_internal_errors_say_how_to_report_them(monkeypatch):
    import tashkent.scenario.load as load

    def boom(*_a, **_k):
        raise RuntimeError("surprise")

    monkeypatch.setattr(load, "read_source", boom)
    code, _, err = run_cli("scenario", "validate", "kashmir-2025")
    assert code == 1 and "Traceback" not in err
    assert "internal error" in err and "please open an issue" in err
    log = err.rsplit("log ", 1)[1].strip()
    assert "RuntimeError: surprise" in Path(log).read_text()


def test_a_damaged_archive_records_exactly_what_it_committed(tmp_path):
    import io
    import zipfile

    from tashkent.events.store import EventStore

    def row(i: int) -> str:
        f = [""] * 58
        f[0], f[1], f[5], f[7], f[15], f[17], f[26], f[30] = (
            str(i),
            "20250422",
            "IND",
            "IND",
            "PAK",
            "PAK",
            "190",
            "-10",
        )
        return "\t".join(f)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("g.csv", "\n".join(row(i) for i in range(30_000)) + "\n")
    data = buf.getvalue()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(data[: len(data) // 2] + bytes(2000) + data[len(data) // 2 + 2000 :])
    db = tmp_path / "ev.db"
    line = one_clean_line(*run_cli("events", "ingest", str(bad), "--format", "gdelt1", "--db", str(db))[::2])
    assert "bad.zip" in line
    store = EventStore(str(db))
    (log,) = store.ingests()
    assert log["status"] == "interrupted" and log["rows_added"] == store.count()
    assert f"{store.count():,} new events" in line
