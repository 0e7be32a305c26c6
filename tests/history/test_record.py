"""The packaged crisis record: content checks against the dossier and the loader's validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tashkent.errors import UserError
from tashkent.history.record import SOURCED, default_record_path, load_crises


@pytest.fixture(scope="module")
def crises():
    return load_crises()


def test_eighteen_crises_in_date_order(crises):
    assert len(crises) == 18
    assert [c.trigger_date for c in crises] == sorted(c.trigger_date for c in crises)
    assert crises[0].name == "Junagadh" and crises[-1].name == "Pahalgam-Sindoor"
    assert sum(c.icb_crisno is not None for c in crises) == 15


def test_every_filled_fact_has_a_source(crises):
    import csv

    with open(default_record_path(), encoding="utf-8") as fh:
        rows = {int(r["id"]): r for r in csv.DictReader(fh)}
    for c in crises:
        for col in SOURCED:
            if rows[c.id][col].strip():
                assert c.sources.get(col), (c.name, col)


def test_nuclear_era_from_1998(crises):
    for c in crises:
        assert c.both_nuclear == (c.year >= 1998)
        assert (c.era == "overt_nuclear") == c.both_nuclear


def test_key_facts_match_the_dossier(crises):
    by = {c.name: c for c in crises}
    assert by["Pahalgam-Sindoor"].trigger_fatalities == 26
    assert by["Pahalgam-Sindoor"].rung_highest == 5
    assert by["Pahalgam-Sindoor"].rung_before == 2
    assert by["Pahalgam-Sindoor"].duration_days == 18
    # ICB convention (trigger day = day 1): 22 Apr -> 7 May is day 16; the plain difference is 15.
    p = by["Pahalgam-Sindoor"]
    assert p.response_lag_days == 16
    assert (p.trigger_date.replace(month=5, day=7) - p.trigger_date).days == 15
    assert by["Pulwama-Balakot"].response_lag_days == 13
    assert by["Twin Peaks II (Kaluchak)"].trigger_date.isoformat() == "2002-05-14"
    assert by["Kargil"].rung_highest == 5 and by["Kargil"].nuclear_signal == "yes"
    assert by["Kargil"].crisis_managers == ("USA",) and not by["Kargil"].mediation_occurred
    assert [c.rung_highest for c in crises if c.rung_highest == 6] == [6, 6, 6]
    assert {c.name for c in crises if c.nuclear_signal == "contested"} == {
        "Brasstacks",
        "Kashmir 1990",
    }


def test_mediation_counts_match_icb(crises):
    icb = [c for c in crises if c.icb_crisno]
    assert sum(c.mediation_occurred for c in icb) == 6
    assert sum(c.mediation_offered and not c.mediation_occurred for c in icb) == 4  # 3 + Pulwama
    post_simla = [c for c in icb if c.year > 1972]
    assert (sum(c.mediation_occurred for c in post_simla), len(post_simla)) == (2, 9)


def _copy_record(tmp_path: Path) -> Path:
    src = default_record_path()
    shutil.copy(src, tmp_path / "crises.csv")
    shutil.copy(src.with_name("crisis_sources.csv"), tmp_path / "crisis_sources.csv")
    return tmp_path / "crises.csv"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("2025-04-22,day", "2025-04-x,day", "crises.csv:19: column 'trigger_date' = '2025-04-x'"),
        (
            ",overt_nuclear,yes,3,3,0,5,yes,18,",
            ",overt_nuclear,yes,3,3,0,9,yes,18,",
            "column 'rung_highest' = '9' is outside 0..6",
        ),
        (
            "1947-08-17,day,1948-02-24,day,political,non_state,0,pre_nuclear,no",
            "1947-08-17,day,1948-02-24,day,political,non_state,0,pre_nuclear,yes",
            "column 'both_nuclear'",
        ),
        ("attack,non_state,26", "bombing,non_state,26", "column 'trigger_type' = 'bombing'"),
    ],
)
def test_bad_rows_give_one_line_errors(tmp_path, old, new, message):
    path = _copy_record(tmp_path)
    _edit(path, old, new)
    with pytest.raises(UserError) as err:
        load_crises(path)
    assert message in err.value.message
    assert "\n" not in err.value.message


def test_a_fact_without_a_source_is_refused(tmp_path):
    path = _copy_record(tmp_path)
    sources = path.with_name("crisis_sources.csv")
    lines = sources.read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if not ln.startswith("18,trigger_fatalities,")]
    sources.write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match="'trigger_fatalities' = '26' has no source"):
        load_crises(path)


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="file not found"):
        load_crises(tmp_path / "nope.csv")


def test_a_record_with_the_former_lag_column_name_still_loads(tmp_path, crises):
    src = default_record_path()
    text = src.read_text(encoding="utf-8").replace("response_lag_days", "india_response_lag_days", 1)
    (tmp_path / "crises.csv").write_text(text, encoding="utf-8")
    sources = src.with_name("crisis_sources.csv").read_text(encoding="utf-8")
    (tmp_path / "crisis_sources.csv").write_text(
        sources.replace(",response_lag_days,", ",india_response_lag_days,"), encoding="utf-8"
    )
    old = load_crises(tmp_path / "crises.csv")
    assert [c.response_lag_days for c in old] == [c.response_lag_days for c in crises]
    assert old[-1].india_response_lag_days == old[-1].response_lag_days == 16
