"""The HTTP contract of the exercise API and every rule of access."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tashkent.exercise import service
from tashkent.store.exercises import ExerciseStore
from tashkent.web.app import create_app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'web.db'}"


@pytest.fixture
def client(db: str) -> TestClient:
    return TestClient(create_app(db))


def new_exercise(client: TestClient, seats=("IND", "PAK", "RUS")) -> dict:
    r = client.post(
        "/api/exercises", json={"scenario": "kashmir-2025", "seats": list(seats), "turn_days": 14}
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_health_and_home_page(client):
    assert client.get("/api/health").status_code == 200
    ex = new_exercise(client)
    home = client.get("/")
    assert home.status_code == 200 and ex["id"] in home.text


def test_create_returns_tokens_and_rejects_bad_input(client):
    ex = new_exercise(client)
    assert set(ex["seat_tokens"]) == {"IND", "PAK", "RUS"}
    assert len({ex["facilitator_token"], *ex["seat_tokens"].values()}) == 4
    assert (
        client.post("/api/exercises", json={"scenario": "kashmir-2025", "seats": ["XXX"]}).status_code == 422
    )
    assert client.post("/api/exercises", json={"scenario": "nope", "seats": ["IND"]}).status_code == 422
    assert client.post("/api/exercises", json={"scenario": "kashmir-2025", "seats": []}).status_code == 422
    assert client.post("/api/exercises", content=b"not json").status_code == 422
    r = client.post("/api/exercises", json={"scenario": "kashmir-2025", "seats": ["IND"], "turn_days": 0})
    assert r.status_code == 422 and "turn_days" in r.json()["error"]


def test_view_needs_this_exercises_token(client):
    a, b = new_exercise(client), new_exercise(client, ("IND",))
    url = f"/api/exercises/{a['id']}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer("not-a-token")).status_code == 401
    assert client.get(url, headers=bearer(b["seat_tokens"]["IND"])).status_code in (403, 404)
    assert client.get(url, headers=bearer(b["facilitator_token"])).status_code in (403, 404)
    assert client.get("/api/exercises/0000", headers=bearer("x")).status_code in (401, 404)
    for token in (a["facilitator_token"], a["seat_tokens"]["PAK"]):
        v = client.get(url, headers=bearer(token))
        assert v.status_code == 200 and v.json()["turn"] == 0


def test_a_seat_sees_its_own_brief_and_moves_only(client):
    ex = new_exercise(client)
    url = f"/api/exercises/{ex['id']}"
    client.post(
        f"{url}/moves",
        json={"seat": "IND", "action": "talks", "note": "secret"},
        headers=bearer(ex["seat_tokens"]["IND"]),
    )
    pak = client.get(url, headers=bearer(ex["seat_tokens"]["PAK"])).json()
    assert pak["moves"] == [] and "secret" not in str(pak)
    assert pak["you"]["seat"] == "PAK" and "Pakistan" in pak["you"]["brief"]
    assert "brief" not in str(pak["seats"])
    ind = client.get(url, headers=bearer(ex["seat_tokens"]["IND"])).json()
    assert [m["action"] for m in ind["moves"]] == ["talks"]
    fac = client.get(url, headers=bearer(ex["facilitator_token"])).json()
    assert [m["seat"] for m in fac["moves"]] == ["IND"]
    assert [s["moved_this_turn"] for s in pak["seats"]] == [True, False, False]  # IND, PAK, RUS


def test_actions_are_for_seats(client):
    ex = new_exercise(client)
    url = f"/api/exercises/{ex['id']}/actions"
    acts = client.get(url, headers=bearer(ex["seat_tokens"]["RUS"]))
    assert acts.status_code == 200 and all("id" in a and "cameo" in a for a in acts.json())
    assert "offer_mediation" in {a["id"] for a in acts.json()}
    assert client.get(url, headers=bearer(ex["facilitator_token"])).status_code == 403
    assert client.get(url).status_code == 401


def test_moves_only_for_oneself(client):
    ex = new_exercise(client)
    url = f"/api/exercises/{ex['id']}/moves"
    ok = client.post(
        url, json={"seat": "IND", "action": "ceasefire"}, headers=bearer(ex["seat_tokens"]["IND"])
    )
    assert ok.status_code in (200, 201) and ok.json()["turn"] == 0
    assert (
        client.post(
            url, json={"seat": "IND", "action": "ceasefire"}, headers=bearer(ex["seat_tokens"]["PAK"])
        ).status_code
        == 403
    )
    assert (
        client.post(
            url, json={"seat": "IND", "action": "ceasefire"}, headers=bearer(ex["facilitator_token"])
        ).status_code
        == 403
    )
    assert client.post(url, json={"seat": "IND", "action": "ceasefire"}).status_code == 401
    bad = client.post(
        url, json={"seat": "RUS", "action": "air_strike"}, headers=bearer(ex["seat_tokens"]["RUS"])
    )
    assert bad.status_code == 422 and "air_strike" in bad.json()["error"]
    other = new_exercise(client, ("IND",))
    assert client.post(
        url, json={"seat": "IND", "action": "ceasefire"}, headers=bearer(other["seat_tokens"]["IND"])
    ).status_code in (403, 404)


def test_only_the_facilitator_injects_advances_ends_and_reissues(client):
    ex = new_exercise(client)
    url = f"/api/exercises/{ex['id']}"
    seat = bearer(ex["seat_tokens"]["PAK"])
    fac = bearer(ex["facilitator_token"])
    attack = {"kind": "attack", "target": "IND", "fatalities": 26, "note": "Pahalgam-like attack"}
    assert client.post(f"{url}/injects", json=attack, headers=seat).status_code == 403
    assert client.post(f"{url}/injects", json=attack, headers=fac).status_code == 201
    assert (
        client.post(
            f"{url}/injects", json={"kind": "attack", "target": "RUS", "fatalities": 3}, headers=fac
        ).status_code
        == 422
    )
    assert client.post(f"{url}/injects", json={"kind": "coup"}, headers=fac).status_code == 422
    gp = {"kind": "great_power", "engagement": 0.2, "note": "Washington stands back"}
    assert client.post(f"{url}/injects", json=gp, headers=fac).status_code == 201
    assert (
        client.post(f"{url}/injects", json={"kind": "great_power", "engagement": 2}, headers=fac).status_code
        == 422
    )
    assert client.post(f"{url}/advance", headers=seat).status_code == 403
    r = client.post(f"{url}/advance", headers=fac)
    assert r.status_code == 200 and r.json()["new_turn"] == 1
    assert r.json()["injects"][0]["fatalities"] == 26 and r.json()["injects"][1]["engagement"] == 0.2
    assert client.get(url, headers=seat).json()["turn"] == 1
    assert client.post(f"{url}/seats/PAK/token", headers=seat).status_code == 403
    new = client.post(f"{url}/seats/PAK/token", headers=fac).json()["token"]
    assert client.get(url, headers=seat).status_code == 401  # the old link stops working
    assert client.get(url, headers=bearer(new)).status_code == 200
    assert client.post(f"{url}/end", headers=bearer(new)).status_code == 403
    assert client.post(f"{url}/end", headers=fac).status_code == 200
    late = client.post(f"{url}/moves", json={"seat": "PAK", "action": "talks"}, headers=bearer(new))
    assert late.status_code == 409
    assert client.post(f"{url}/advance", headers=fac).status_code == 409


def test_contract_holds_across_a_server_restart(db):
    first = TestClient(create_app(db))
    ex = new_exercise(first)
    url = f"/api/exercises/{ex['id']}"
    first.post(
        f"{url}/moves", json={"seat": "IND", "action": "talks"}, headers=bearer(ex["seat_tokens"]["IND"])
    )
    second = TestClient(create_app(db))  # a new process would see exactly this database
    v = second.get(url, headers=bearer(ex["facilitator_token"]))
    assert v.status_code == 200 and [m["action"] for m in v.json()["moves"]] == ["talks"]
    r = second.post(f"{url}/advance", headers=bearer(ex["facilitator_token"]))
    assert r.status_code == 200 and [m["action"] for m in r.json()["moves"]] == ["talks"]
    assert TestClient(create_app(db)).get(url, headers=bearer(ex["seat_tokens"]["PAK"])).json()["turn"] == 1


def test_tokens_are_stored_hashed(client, db):
    ex = new_exercise(client)
    raw = Path(db.removeprefix("sqlite:///")).read_bytes()
    wal = Path(db.removeprefix("sqlite:///") + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    for token in (ex["facilitator_token"], *ex["seat_tokens"].values()):
        assert token.encode() not in raw
        assert service.hash_token(token).encode() in raw


def test_concurrent_moves_and_an_advance_lose_and_duplicate_nothing(db):
    store = ExerciseStore(db)
    ex = service.create(store, "kashmir-2025", ["IND", "PAK", "RUS"], turn_days=7)
    seats = {s: service.authenticate(store, ex["id"], t) for s, t in ex["seat_tokens"].items()}
    fac = service.authenticate(store, ex["id"], ex["facilitator_token"])
    made: list[int] = []
    lock = threading.Lock()

    def player(seat: str, action: str) -> None:
        for _ in range(8):
            m = service.move(store, seats[seat], seat, action)
            with lock:
                made.append(m["id"])

    threads = [
        threading.Thread(target=player, args=a)
        for a in (("IND", "talks"), ("PAK", "ceasefire"), ("RUS", "mediate"))
    ]
    for t in threads:
        t.start()
    closed = service.advance(store, fac)
    for t in threads:
        t.join()
    open_turn = service.view(store, fac)["moves"]
    seen = [m["id"] for m in closed["moves"]] + [m["id"] for m in open_turn]
    assert sorted(seen) == sorted(made) and len(made) == 24


def test_governance_scores_are_private_to_the_seat(client):
    ex = new_exercise(client, ("IND", "PAK", "KCS-IN"))
    url = f"/api/exercises/{ex['id']}"
    g = client.get(f"{url}/governance", headers=bearer(ex["seat_tokens"]["IND"])).json()
    assert g["available"] is True
    packages = [p["id"] for p in g["analysis"]["packages"] if p["kind"] == "package"]
    assert g["analysis"]["nash"] is None or len(g["analysis"]["nash"]["point"]) == len(
        g["analysis"]["dimensions"]
    )
    r = client.post(
        f"{url}/scores", json={"scores": {packages[0]: 7}}, headers=bearer(ex["seat_tokens"]["KCS-IN"])
    )
    assert r.status_code == 200
    bad = client.post(
        f"{url}/scores", json={"scores": {packages[0]: 11}}, headers=bearer(ex["seat_tokens"]["IND"])
    )
    assert bad.status_code == 422
    assert (
        client.post(
            f"{url}/scores", json={"scores": {packages[0]: 5}}, headers=bearer(ex["facilitator_token"])
        ).status_code
        == 403
    )
    other = client.get(f"{url}/governance", headers=bearer(ex["seat_tokens"]["IND"])).json()
    assert other["scores"] == [] and other["mean_scores"] == {packages[0]: 7.0}
    fac = client.get(f"{url}/governance", headers=bearer(ex["facilitator_token"])).json()
    assert fac["scores"] == [{"seat": "KCS-IN", "package": packages[0], "score": 7.0}]


def test_after_action_report_in_json_and_html(client):
    ex = new_exercise(client)
    url = f"/api/exercises/{ex['id']}"
    fac = bearer(ex["facilitator_token"])
    client.post(
        f"{url}/moves", json={"seat": "IND", "action": "air_strike"}, headers=bearer(ex["seat_tokens"]["IND"])
    )
    client.post(f"{url}/advance", headers=fac)
    client.post(
        f"{url}/moves", json={"seat": "PAK", "action": "accept:II"}, headers=bearer(ex["seat_tokens"]["PAK"])
    )
    client.post(f"{url}/advance", headers=fac)
    aar = client.get(f"{url}/after-action", headers=bearer(ex["seat_tokens"]["RUS"])).json()
    assert [t["turn"] for t in aar["timeline"]] == [0, 1]
    assert aar["timeline"][0]["moves"][0]["cameo"] == ["195", "1951", "1952"]
    assert (
        len(aar["forecast_by_turn"]) == 2 and 0 <= aar["forecast_by_turn"][0]["p_rung_ge_5_ahead"]["p"] <= 1
    )
    strike = aar["divergences"][0]
    assert strike["seat"] == "IND" and strike["diverged"]  # the model's India rarely strikes unprovoked
    assert "world" not in str(aar["timeline"][0].keys())
    client.get(f"/join/{ex['id']}/{ex['facilitator_token']}")
    html = client.get(f"/exercises/{ex['id']}/after-action?download=1")
    assert html.status_code == 200 and "attachment" in html.headers["content-disposition"]
    assert "<style>" in html.text and "/static/" not in html.text  # self-contained
    assert client.get(f"/exercises/{ex['id']}/after-action.json").json()["exercise"]["turns_played"] == 2


def test_pages_follow_the_same_access_rules(client):
    ex = new_exercise(client)
    page = f"/exercises/{ex['id']}"
    assert client.get(page).status_code == 401  # no join cookie yet
    assert client.get(f"/join/{ex['id']}/not-a-token").status_code == 401
    seat = TestClient(client.app)
    r = seat.get(f"/join/{ex['id']}/{ex['seat_tokens']['PAK']}")
    assert r.status_code == 200 and "You play PAK" in r.text and "Close turn" not in r.text
    assert (
        "HttpOnly" in r.history[0].headers["set-cookie"]
        and "SameSite=strict" in r.history[0].headers["set-cookie"]
    )
    assert seat.post(f"{page}/advance").status_code == 403
    assert (
        seat.post(f"{page}/inject", data={"kind": "attack", "target": "IND", "fatalities": "5"}).status_code
        == 403
    )
    assert seat.post(f"{page}/move", data={"action": "talks"}).status_code == 200  # redirected back
    fac = TestClient(client.app)
    fac.get(f"/join/{ex['id']}/{ex['facilitator_token']}")
    assert "talks" in fac.get(page).text.lower() or "Hold talks" in fac.get(page).text
    assert fac.post(f"{page}/advance").status_code == 200
    assert "What happened in turn 0" in seat.get(page).text


def test_dashboard_runs_a_forecast_in_the_background(client):
    r = client.post("/api/forecasts", json={"scenario": "kashmir-2025", "runs": 100, "days": 20, "seed": 3})
    assert r.status_code == 202
    job_id = r.json()["job"]
    for t in threading.enumerate():
        if t.name == f"job-{job_id}":
            t.join()
    j = client.get(f"/api/jobs/{job_id}").json()
    assert j["status"] == "done" and j["done"] == j["total"] == 100, j
    run_id = j["result"]["run_id"]
    assert run_id in [x["run_id"] for x in client.get("/api/runs").json()]
    assert client.get(f"/jobs/{job_id}").status_code == 200
    assert client.get(f"/runs/{run_id}").status_code == 200
    assert client.get(f"/runs/{run_id}/report").status_code == 200
    assert client.get(f"/runs/{run_id}/files/summary.json").json()["runs"] == 100
    assert client.get(f"/runs/{run_id}/files/milestones.parquet").content[:4] == b"PAR1"
    assert client.get(f"/runs/{run_id}/files/../../etc/passwd").status_code == 404
    bad = client.post("/api/forecasts", json={"runs": 150})
    assert bad.status_code == 422 and "multiple of 100" in bad.json()["error"]


def test_a_turn_closed_by_a_server_that_then_died_is_adjudicated_on_restart(db):
    from tashkent.store.exercises import ExerciseRow, TurnRow, utcnow

    first = TestClient(create_app(db))
    ex = new_exercise(first)
    url = f"/api/exercises/{ex['id']}"
    first.post(
        f"{url}/moves", json={"seat": "IND", "action": "ceasefire"}, headers=bearer(ex["seat_tokens"]["IND"])
    )
    store = ExerciseStore(db)
    with store.writing() as s:  # what the first half of an advance writes before the model runs
        s.add(TurnRow(exercise_id=ex["id"], turn=0, created=utcnow(), result=None))
        s.get(ExerciseRow, ex["id"]).turn = 1
    assert first.post(f"{url}/advance", headers=bearer(ex["facilitator_token"])).status_code == 409
    restarted = TestClient(create_app(db))
    v = restarted.get(url, headers=bearer(ex["facilitator_token"])).json()
    assert v["turn"] == 1 and v["adjudicating"] is None
    assert [m["action"] for m in v["last_turn"]["moves"]] == ["ceasefire"]
    # the same seed gives the same outcome as an uninterrupted advance would have
    again = ExerciseStore(db)
    redo = service.complete(again, ex["id"], 0)
    assert redo["after"] == v["last_turn"]["after"]


def test_stated_positions_move_the_players_zone_of_agreement(client):
    ex = new_exercise(client, ("IND", "PAK", "KCS-PK"))
    url = f"/api/exercises/{ex['id']}"
    g = client.get(f"{url}/governance", headers=bearer(ex["facilitator_token"])).json()
    assert g["players"] is None
    dims = [d["id"] for d in g["analysis"]["dimensions"]]
    hard = dict.fromkeys(dims, 0.0)
    r = client.post(f"{url}/positions", json={"positions": hard}, headers=bearer(ex["seat_tokens"]["IND"]))
    assert r.status_code == 200
    assert (
        client.post(
            f"{url}/positions", json={"positions": {dims[0]: 101}}, headers=bearer(ex["seat_tokens"]["PAK"])
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"{url}/positions", json={"positions": {"nope": 5}}, headers=bearer(ex["seat_tokens"]["PAK"])
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"{url}/positions", json={"positions": hard}, headers=bearer(ex["facilitator_token"])
        ).status_code
        == 403
    )
    client.post(
        f"{url}/positions", json={"positions": {dims[0]: 50}}, headers=bearer(ex["seat_tokens"]["KCS-PK"])
    )
    g = client.get(f"{url}/governance", headers=bearer(ex["seat_tokens"]["PAK"])).json()
    assert g["players"]["actors_with_stated_positions"] == ["IND"]  # civil society is not a bargaining actor
    assert g["positions"] == {}  # PAK sees no other seat's positions
    model, players = g["analysis"], g["players"]
    if model["nash"] and players["nash"]:
        assert players["nash"]["point"] != model["nash"]["point"]
    else:
        assert (model["zopa_exists"], model["concession"]) != (players["zopa_exists"], players["concession"])
    fac = client.get(f"{url}/governance", headers=bearer(ex["facilitator_token"])).json()
    assert set(fac["positions"]) == {"IND", "KCS-PK"}


def test_dashboard_compares_variants_in_the_background(client):
    bad = client.post("/api/compare", json={"runs": 100, "variants": []})
    assert bad.status_code == 422
    r = client.post(
        "/api/compare",
        json={
            "scenario": "kashmir-2025",
            "runs": 100,
            "days": 20,
            "variants": ["calm=set:parameters.attack_rate=0.01"],
        },
    )
    assert r.status_code == 202
    job_id = r.json()["job"]
    for t in threading.enumerate():
        if t.name == f"job-{job_id}":
            t.join()
    j = client.get(f"/api/jobs/{job_id}").json()
    assert j["status"] == "done", j
    (variant,) = j["result"]["variants"]
    assert variant["label"] == "calm" and variant["differences"]
    assert "calm vs kashmir-2025" in client.get(f"/jobs/{job_id}").text


def test_packages_page_and_frontier_plot(client):
    page = client.get("/packages/kashmir-2025")
    assert page.status_code == 200 and "Kalai" in client.get("/api/packages/kashmir-2025").text
    png = client.get("/packages/kashmir-2025/frontier.png")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"


def test_player_text_is_escaped_in_pages(client):
    ex = new_exercise(client)
    page = TestClient(client.app)
    page.get(f"/join/{ex['id']}/{ex['seat_tokens']['IND']}")
    page.post(f"/exercises/{ex['id']}/move", data={"action": "talks", "note": "<script>alert(1)</script>"})
    html = page.get(f"/exercises/{ex['id']}").text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_governance_page_of_a_scenario_without_packages_says_how_to_add_them(client):
    r = client.post("/api/exercises", json={"scenario": "pakistan-afghanistan-2025", "seats": ["PAK", "AFG"]})
    assert r.status_code == 201, r.text
    ex = r.json()
    url = f"/api/exercises/{ex['id']}"
    g = client.get(f"{url}/governance", headers=bearer(ex["facilitator_token"]))
    assert g.status_code == 200
    body = g.json()
    assert body["available"] is False and "no bargaining section" in body["reason"]
    assert "bargaining:" in body["how_to_add"] and "tashkent packages" in body["how_to_add"]
    # scores cannot be given, with the same explanation
    s = client.post(f"{url}/scores", json={"scores": {"x": 5}}, headers=bearer(ex["seat_tokens"]["PAK"]))
    assert s.status_code == 409 and "no bargaining section" in s.json()["error"]
    # the page, through the facilitator's join link
    client.get(f"/join/{ex['id']}/{ex['facilitator_token']}")
    page = client.get(f"/exercises/{ex['id']}/governance")
    assert page.status_code == 200
    assert "No governance packages in this scenario" in page.text
    assert "tashkent scenario export kashmir-2025" in page.text
    assert client.get(f"/exercises/{ex['id']}/governance.png").status_code == 404


def test_the_form_and_the_json_create_an_exercise_through_one_path(client):
    """Same checks and the same join links, whichever way the exercise is created."""
    for bad in (2.5, True, "a week"):
        r = client.post(
            "/api/exercises", json={"scenario": "kashmir-2025", "seats": ["IND"], "turn_days": bad}
        )
        assert r.status_code == 422 and r.json()["error"] == f"turn_days: {bad!r} is not a whole number"
    page = client.post("/exercises", data={"scenario": "kashmir-2025", "seats": ["IND"], "turn_days": "2.5"})
    assert page.status_code == 422 and "turn_days: &#39;2.5&#39; is not a whole number" in page.text
    api = client.post("/api/exercises", json={"seats": ["IND", "PAK"], "turn_days": "14"}).json()
    assert set(api["join_links"]) == {"facilitator", "IND", "PAK"}
    page = client.post("/exercises", data={"seats": ["IND", "PAK"], "turn_days": "14"})
    assert page.status_code == 200
    links = re.findall(r'id="link-(\w+)" href="(http://testserver/join/[0-9a-f]+/[^"]+)"', page.text)
    assert {who for who, _ in links} == {"facilitator", "IND", "PAK"}
    joined = client.get(dict(links)["PAK"], follow_redirects=False)
    assert joined.status_code == 303  # the form's link is a working join link
