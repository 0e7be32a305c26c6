"""The ICB reader reproduces the published ICB v15 base rates exactly from the user's v15 files
(skipped without them: set TASHKENT_SHARED_DATA)."""

from __future__ import annotations

import shutil

import pytest

from tashkent.errors import UserError
from tashkent.history.icb import base_rates, icb_date, india_pakistan_crises, read_icb


@pytest.fixture(scope="module")
def icb():
    from tests.conftest import need_shared

    return read_icb(need_shared("history", "icb"))


@pytest.fixture(scope="module")
def rates(icb):
    return base_rates(icb)


def test_sizes(icb, rates):
    assert len(icb.system) == 496 and rates["n_post1945"] == 398
    assert len(icb.actor) == 1100 and len(icb.dyadic) == 1363


def test_headline_agreement_rates(rates):
    post = rates["post1945"]
    assert post["agreement_mediated"] == {"k": 86, "n": 137, "p": 0.6277}  # 62.8%
    assert post["agreement_not_mediated"] == {"k": 39, "n": 227, "p": 0.1718}  # 17.2%
    assert rates["all"]["agreement_mediated"]["p"] == 0.6234  # 62.3%
    assert rates["all"]["agreement_not_mediated"]["p"] == 0.1913  # 19.1%
    assert (post["mediation_occurred"]["k"], post["mediation_offered_not_accepted"]["k"]) == (
        137,
        28,
    )
    assert (
        rates["all"]["mediation_occurred"]["k"],
        rates["all"]["mediation_offered_not_accepted"]["k"],
    ) == (154, 37)
    assert (post["tension_reduction_mediated"]["k"], post["tension_reduction_mediated"]["n"]) == (
        84,
        133,
    )
    assert (
        post["tension_reduction_not_mediated"]["k"],
        post["tension_reduction_not_mediated"]["n"],
    ) == (112, 219)
    assert (post["median_duration_mediated"], post["median_duration_not_mediated"]) == (131, 50)
    assert (
        rates["all"]["median_duration_mediated"],
        rates["all"]["median_duration_not_mediated"],
    ) == (135, 58)


def test_mediation_by_violence_and_lag(rates):
    post = rates["post1945"]
    shares = [
        round(100 * post["share_mediated_by_violence"][v]["p"]) for v in ("none", "minor", "serious", "war")
    ]
    assert shares == [24, 28, 34, 61]
    lag = post["mediation_lag_days"]
    assert (lag["n"], lag["median"], lag["q1"]) == (133, 32, 6.0)
    # The ICB v15 IQR is 6-110 by one quartile rule; the inclusive quartile here is 103 (exclusive: 109).
    assert lag["q3"] == 103.0
    assert lag["share_before_trigger"] == 0.0752  # 7.5%


def test_by_mediator_type_and_style(rates):
    def pct(d):
        return (
            d["n"],
            round(100 * d["effective"]["p"]),
            round(100 * d["agreement"]["p"]),
            round(100 * d["tension_reduction"]["p"]),
        )

    by_type = rates["post1945"]["by_mediator_type"]
    assert pct(by_type["global_igo"]) == (28, 61, 57, 67)
    assert pct(by_type["regional_org"]) == (29, 48, 55, 75)
    assert pct(by_type["single_state"]) == (51, 69, 63, 51)
    assert pct(by_type["group_of_states"]) == (25, 76, 72, 68)
    by_style = rates["post1945"]["by_style"]
    assert pct(by_style["facilitation"]) == (16, 38, 44, 67)
    assert pct(by_style["formulation"]) == (56, 64, 57, 64)
    assert pct(by_style["manipulation"]) == (46, 80, 74, 63)


def test_india_pakistan_subset(icb, rates):
    assert india_pakistan_crises(icb) == [
        118,
        119,
        135,
        214,
        216,
        242,
        372,
        392,
        425,
        431,
        435,
        436,
        473,
        482,
        494,
    ]
    ip = rates["india_pakistan"]
    assert ip["mediation"] == {"occurred": 6, "offered_not_accepted": 3, "none": 6}
    assert (ip["mediated_since_simla"]["k"], ip["mediated_since_simla"]["n"]) == (2, 9)
    assert ip["violence"] == {"none": 3, "minor": 6, "serious": 3, "war": 3}
    assert ip["violence_since_1998"] == {"none": 1, "minor": 5, "serious": 1, "war": 0}
    assert (ip["recurrence_within_5y"]["k"], ip["recurrence_within_5y"]["n"]) == (8, 14)
    assert round(ip["onset_rate_per_year"], 2) == 0.21
    assert (ip["gap_years_mean"], ip["gap_years_median"]) == (5.11, 2.8)
    assert ip["duration_days"] == {"median": 56, "min": 3, "max": 436}


def test_icb_date_codes():
    assert icb_date(1987, 1, 77).isoformat() == "1987-01-15"
    assert icb_date(1965, 4, None).isoformat() == "1965-04-15"
    assert icb_date(2012, -99, -99) is None


def test_bad_icb_value_is_one_line(tmp_path, icb_dir):
    src = icb_dir
    for name in ("icb1v15.csv", "icb2v15.csv", "icbdy_v15.csv"):
        shutil.copy(src / name, tmp_path / name)
    path = tmp_path / "icb1v15.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[119].split(",")
    cells[5] = "x"  # yrtrig
    lines[119] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_icb(tmp_path)
    assert err.value.message.startswith("icb1v15.csv:120: column 'yrtrig' = 'x' is not a whole number")


def test_missing_folder_and_files(tmp_path):
    with pytest.raises(UserError, match="not a folder"):
        read_icb(tmp_path / "nope")
    with pytest.raises(UserError, match=r"icb1v15\.csv: file not found"):
        read_icb(tmp_path)
