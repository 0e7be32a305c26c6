"""Scenario files: built-ins validate; bad input fails with one line naming file, line, field, fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.core.helpers import run_cli

from tashkent.errors import UserError
from tashkent.scenario import builtin_names, load_scenario
from tashkent.scenario.load import builtin_text

ACTOR_IDS = {"IND", "PAK", "RUS", "CHN", "USA", "IRN", "IDN", "SAU", "KAZ", "UZB", "SCO"}


def test_builtins_load_with_sources_for_every_parameter():
    assert builtin_names() == ["kashmir-2025", "pahalgam-2025", "pakistan-afghanistan-2025"]
    for name in builtin_names():
        s = load_scenario(name)
        if "IND" in s.parties:
            assert {a.id for a in s.actors} >= ACTOR_IDS
        for key, p in s.parameters.items():
            assert len(p.source) > 10, key
        for ph in s.process.phases:
            assert len(ph.median_days.source) > 10
        for a in s.actors:
            assert a.source


def test_kashmir_state_after_the_2025_crisis():
    s = load_scenario("kashmir-2025")
    assert s.initial_state.rung == 2 and not s.initial_state.crisis_active
    assert s.actor("RUS").roles == ["mediator"]
    assert {a.id for a in s.actors if "co_facilitator" in a.roles} == {
        "IDN",
        "IRN",
        "SAU",
        "KAZ",
        "UZB",
        "SCO",
    }
    assert {a.id for a in s.great_powers()} == {"CHN", "USA"}
    assert [p.id for p in s.process.phases] == [1, 2, 3, 4, 5]
    p = load_scenario("pahalgam-2025")
    assert p.start_date.isoformat() == "2025-04-22"
    attack = p.schedule[0]
    assert attack.kind == "attack" and attack.fatalities == 26


def _bad(tmp_path: Path, old: str, new: str) -> tuple[int, str]:
    text = builtin_text("kashmir-2025")
    assert old in text
    path = tmp_path / "kashmir.yaml"
    path.write_text(text.replace(old, new, 1))
    code, _, err = run_cli("scenario", "validate", str(path))
    return code, err.strip()


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_out_of_range_bias_names_file_line_and_path(tmp_path):
    code, err = _bad(tmp_path, "bias: {IND: 0.35, PAK: -0.05}", "bias: {IND: 1.7, PAK: -0.05}")
    line = line_of(builtin_text("kashmir-2025"), "bias: {IND: 0.35")
    assert code == 2
    assert err.startswith(f"error: kashmir.yaml:{line}: actors[2].bias.IND = 1.7 is outside [-1, 1]")
    assert "\n" not in err and "Traceback" not in err


def test_unknown_key_is_rejected_with_a_suggestion(tmp_path):
    code, err = _bad(tmp_path, "    war_aversion: 0.5\n", "    war_avresion: 0.5\n")
    assert code == 2
    assert "actors[2].war_avresion: unknown key 'war_avresion'; did you mean 'war_aversion'?" in err


def test_event_naming_unknown_actor_fails(tmp_path):
    code, err = _bad(
        tmp_path, "    actor: RUS\n    target: IND\n    delta", "    actor: XYZ\n    target: IND\n    delta"
    )
    assert code == 2
    assert "schedule[0].actor = XYZ is not an actor in this scenario" in err


def test_missing_field_and_yaml_syntax(tmp_path):
    code, err = _bad(tmp_path, "title: ", "titel: ")
    assert code == 2 and "title: required field is missing; add it" in err
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: x\n  actors: [\n")
    code, _, err = run_cli("scenario", "validate", str(bad))
    assert code == 2 and err.startswith("error: broken.yaml:2: YAML syntax error")


def test_unknown_scenario_and_missing_file():
    code, _, err = run_cli("scenario", "show", "no-such-scenario")
    assert code == 2 and "built-ins: kashmir-2025, pahalgam-2025" in err
    code, _, err = run_cli("scenario", "validate", "nope.yaml")
    assert code == 2 and "no such scenario file" in err


def test_export_round_trips_and_validates(tmp_path):
    code, out, _ = run_cli("scenario", "export", "kashmir-2025")
    assert code == 0
    path = tmp_path / "copy.yaml"
    path.write_text(out)
    code, out, _ = run_cli("scenario", "validate", str(path))
    assert code == 0 and "ok (14 actors" in out


def test_set_and_inject_overlays():
    s = load_scenario(
        "kashmir-2025",
        sets=["parameters.attack_rate=0.3", "actors.RUS.bias.IND=0.6"],
        injects=["2026-02-15:attack:fatalities=40"],
    )
    assert s.parameters["attack_rate"].value == 0.3 and s.parameters["attack_rate"].prior.dist == "fixed"
    assert s.actor("RUS").bias["IND"] == 0.6
    # the long form sets a value just as explicitly: it is used, not sampled over
    t = load_scenario("kashmir-2025", sets=["parameters.war_end_base.value=-3.0"])
    assert t.parameters["war_end_base"].value == -3.0 and t.parameters["war_end_base"].prior.dist == "fixed"
    assert (
        s.schedule[-1].kind == "attack" and s.schedule[-1].fatalities == 40 and s.schedule[-1].target == "IND"
    )
    with pytest.raises(UserError, match="unknown parameter 'atack_rate'; did you mean 'attack_rate'"):
        load_scenario("kashmir-2025", sets=["parameters.atack_rate=0.3"])
    with pytest.raises(UserError, match="is not a date"):
        load_scenario("kashmir-2025", injects=["someday:attack"])
    with pytest.raises(UserError, match="is outside"):
        load_scenario("kashmir-2025", sets=["actors.RUS.bias.IND=2"])


def test_with_overrides_returns_validated_copy():
    s = load_scenario("kashmir-2025")
    t = s.with_overrides({"initial_state.rung": 0, "actors.IND.nuclear": False})
    assert t.initial_state.rung == 0 and not t.actor("IND").nuclear
    assert s.initial_state.rung == 2


def test_pakistan_afghanistan_state_of_november_2025():
    s = load_scenario("pakistan-afghanistan-2025")
    assert s.parties == ("PAK", "AFG") and s.spoiler_target() == "PAK" and s.spoiler_base() == "AFG"
    assert s.actor("PAK").nuclear and not s.actor("AFG").nuclear
    assert {"QAT", "TUR", "SAU", "RUS", "CHN"} <= {a.id for a in s.actors}
    assert s.initial_state.offers == ["RUS"] and s.initial_state.rung == 2


def test_legacy_parameter_names_are_read_under_the_new_ones():
    s = load_scenario("pahalgam-2025", sets=["parameters.pak_cost_ratio=4"])
    assert s.parameters["second_party_cost_ratio"].value == 4


def test_spoilers_must_name_a_party():
    with pytest.raises(UserError, match=r"spoilers\.target"):
        load_scenario("pahalgam-2025", sets=["spoilers.target=RUS"])
