"""Scenario files and `--set`: every number range-checked, every prior sampleable, YAML read safely,
and the calibration overlay never replacing a value the user stated."""

from __future__ import annotations

import pytest

from tashkent.errors import UserError
from tashkent.scenario.bounds import bound_for, check_parameter
from tashkent.scenario.load import load_scenario, load_scenario_noted
from tashkent.scenario.overlays import calibrated_overlays
from tashkent.scenario.schema import Prior

from .helpers import edited, one_clean_line, run_cli

RATE = "    value: 0.8\n    prior: {dist: lognormal, median: 0.8, sdlog: 0.35}"

# (what is replaced, by what, text the one-line error must contain)
BAD = [
    (RATE, "    value: .nan\n    prior: {dist: fixed}", "attack_rate.value"),
    (RATE, "    value: -3\n    prior: {dist: fixed}", "attack_rate value = -3"),
    (RATE, "    value: .inf\n    prior: {dist: fixed}", "finite"),
    ("median: 0.8, sdlog: 0.35", "median: .nan, sdlog: 0.35", "attack_rate.prior.median"),
    ("mean: -2.3, sd: 0.4", "mean: -2.3, sd: .inf", "esc_base.prior.sd"),
    ("dist: beta, a: 2, b: 14", "dist: beta, a: 0, b: 14", "trust_baseline.prior.a"),
    ("low: 0.01, high: 0.06", "low: .nan, high: 0.06", "esc_fatigue.prior.low"),
    ("  ceasefire_rung:\n    value: 3", "  ceasefire_rung:\n    value: 9", "ceasefire_rung value = 9"),
    ("  ceasefire_rung:\n    value: 3", "  ceasefire_rung:\n    value: 3.7", "must be an integer"),
    (
        "        value: 240\n        prior: {dist: lognormal, median: 240",
        "        value: 0\n        prior: {dist: lognormal, median: 240",
        "median_days",
    ),
    (
        "    value: 0.4\n    prior: {dist: beta, a: 4, b: 6}",
        "    value: 4.0\n    prior: {dist: fixed}",
        "setback_prob",
    ),
    (
        "    value: 0.03\n    prior: {dist: uniform, low: 0.01, high: 0.06}",
        "    value: -5\n    prior: {dist: fixed}",
        "esc_fatigue",
    ),
    ("    leverage: 0.", "    leverage: true\n    xleverage: 0.", "not true/false"),
    (
        RATE,
        "    value: 5\n    prior: {dist: lognormal, median: 0.8, sdlog: 0.35}",
        "outside its own lognormal prior",
    ),
    ("start_date: 2025-11-20", "start_date: 2025-13-45", "not a valid date"),
    ("  attack_rate:\n", "  attack_rate:\n    value: 1.0\n", "appears twice"),
    ("initial_state:\n  date: 2025-11-20", "initial_state:\n  date: 2025-01-01", "differs from start_date"),
]


@pytest.mark.parametrize(("old", "new", "expect"), BAD, ids=[b[2][:30] for b in BAD])
def test_bad_scenario_values_are_one_line_errors(tmp_path, old, new, expect):
    path = edited(tmp_path, old, new)
    line = one_clean_line(*run_cli("scenario", "validate", str(path))[::2])
    assert expect in line and "edited.yaml:" in line


@pytest.mark.parametrize(
    "assignment",
    ["parameters.attack_rate=nan", "parameters.attack_rate=-3", "parameters.ceasefire_rung=3.7",
     "parameters.setback_prob=4", "actors.RUS.leverage=true", "start_date=2025-13-45"],
)  # fmt: skip
def test_set_gets_the_same_checks(assignment):
    code, _, err = run_cli("forecast", "-n", "100", "-d", "5", "--set", assignment)
    one_clean_line(code, err)


def test_yaml_bombs_and_nesting_are_refused_quickly(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(8):
        p, q = chr(97 + i), chr(98 + i)
        lines.append(f"{q}: &{q} [" + ",".join([f"*{p}"] * 9) + "]")
    bomb.write_text("\n".join(lines) + "\n")
    assert "expands to more than" in one_clean_line(*run_cli("scenario", "validate", str(bomb))[::2])
    deep = tmp_path / "deep.yaml"
    deep.write_text("a: " + "[" * 3000 + "]" * 3000 + "\n")
    assert "nest" in one_clean_line(*run_cli("scenario", "validate", str(deep))[::2])
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" + b"#" * (5 * 1024 * 1024))
    assert "larger than" in one_clean_line(*run_cli("scenario", "validate", str(big))[::2])


def test_every_prior_of_the_builtins_fits_its_declared_range():
    for name in ("kashmir-2025", "pahalgam-2025"):
        sc = load_scenario(name, overlays=calibrated_overlays())
        for key, p in sc.parameters.items():
            assert check_parameter(key, p.value, p.prior, p.range) is None, key


def test_declared_ranges_are_generic_and_narrowed_by_the_file():
    assert bound_for("some_new_prob").hi == 1.0  # suffix conventions cover new parameters
    assert bound_for("response_lag_days").lo == 0.0
    assert bound_for("patron_weight").lo == -1e6  # no convention: only a sane size
    assert bound_for("attack_rate", (0.0, 2.0)).hi == 2.0
    assert check_parameter("x_prob", 0.5, Prior(dist="normal", mean=3.0, sd=0.1), None) is not None
    problem = check_parameter("x", 1e5, Prior(dist="lognormal", median=1e5, sdlog=300.0), None)
    assert problem is not None and "cannot be sampled" in problem


def test_overlay_keeps_a_value_the_user_stated(tmp_path):
    overlay = {  # an overlay that calibrated attack_rate, as the shipped one once did
        "parameters": {
            "attack_rate": {
                "calibrated_from": {
                    "value": 0.8,
                    "prior": {"dist": "lognormal", "median": 0.8, "sdlog": 0.35},
                },
                "value": 0.78,
                "prior": {"dist": "lognormal", "median": 0.78, "sdlog": 0.2},
                "identified": True,
            }
        }
    }
    path = edited(tmp_path, RATE, "    value: 5.0\n    prior: {dist: lognormal, median: 5.0, sdlog: 0.35}")
    sc, notes = load_scenario_noted(path, overlays=[overlay])
    assert sc.parameters["attack_rate"].value == 5.0 and notes == {"applied": [], "kept": ["attack_rate"]}
    sc, notes = load_scenario_noted("kashmir-2025", overlays=[overlay])
    assert sc.parameters["attack_rate"].value == 0.78 and notes["applied"] == ["attack_rate"]
    sc, notes = load_scenario_noted("kashmir-2025", sets=["parameters.attack_rate=2"], overlays=[overlay])
    assert sc.parameters["attack_rate"].value == 2.0 and notes["kept"] == ["attack_rate"]


def test_shipped_overlay_applies_to_the_builtin_values_only(tmp_path):
    (overlay,) = calibrated_overlays()
    fitted = [k for k, v in overlay["parameters"].items() if v.get("identified")]
    assert fitted and all("calibrated_from" in overlay["parameters"][k] for k in fitted)
    sc, notes = load_scenario_noted("kashmir-2025", overlays=[overlay])
    assert notes["applied"] == fitted and notes["kept"] == []
    name = fitted[0]
    sc, notes = load_scenario_noted("kashmir-2025", sets=[f"parameters.{name}=1.0"], overlays=[overlay])
    assert sc.parameters[name].value == 1.0 and notes["kept"] == [name]


def test_attack_rate_of_five_a_year_raises_the_default_forecast(tmp_path):
    """The issue's test: a file with attack_rate 5/year under the default (calibrated) forecast."""
    import json

    path = edited(tmp_path, RATE, "    value: 5.0\n    prior: {dist: lognormal, median: 5.0, sdlog: 0.35}")
    code, out, err = run_cli("forecast", str(path), "-n", "2000", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["milestones"]["365"]["p_crisis"] > 0.6  # the unchanged scenario gives about 0.3
    assert "attack_rate" not in doc["calibration"]["applied"]
    code, out, _ = run_cli("forecast", "-n", "2000", "--json")
    assert json.loads(out)["milestones"]["365"]["p_crisis"] < 0.45


def test_validate_checks_what_forecast_needs(tmp_path):
    path = edited(tmp_path, "  attack_progress_gain:\n", "  attack_progress_gainz:\n")
    line = one_clean_line(*run_cli("scenario", "validate", str(path))[::2])
    assert "attack_progress_gain" in line


def test_user_error_type_for_library_callers(tmp_path):
    path = edited(tmp_path, RATE, "    value: -1\n    prior: {dist: fixed}")
    with pytest.raises(UserError, match="attack_rate"):
        load_scenario(path)
