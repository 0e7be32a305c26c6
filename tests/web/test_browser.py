"""The exercise played in a real browser (Debian's Chromium driven by Playwright): a facilitator and
three seats in separate browser contexts play three turns; the after-action report shows them.

Screenshots go to a temporary folder, or to $TASHKENT_SCREENSHOTS (the README's images are made with
TASHKENT_SCREENSHOTS=docs/img)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from tests.web.helpers import served

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def server(tmp_path):
    """The app served by uvicorn on a free port of 127.0.0.1."""
    from tashkent.web.app import create_app

    with served(create_app(f"sqlite:///{tmp_path / 'browser.db'}")) as url:
        yield url


@pytest.fixture
def shots(tmp_path) -> Path:
    out = Path(os.environ.get("TASHKENT_SCREENSHOTS", tmp_path / "shots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_three_seats_play_three_turns_in_the_browser(server, shots):
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            play(browser, server, shots)
        finally:
            browser.close()


def play(browser, base: str, shots: Path) -> None:
    size = {"width": 1200, "height": 900}
    fac = browser.new_context(viewport=size).new_page()
    fac.goto(f"{base}/exercises/new")
    fac.fill("#title", "Kashmir Track II exercise")
    fac.fill("#turn_days", "30")
    for seat in ("IND", "PAK", "RUS"):
        assert fac.is_checked(f"input[name=seats][value={seat}]")
    fac.screenshot(path=str(shots / "web-new.png"), full_page=True)
    fac.click("#create")
    links = {seat: fac.get_attribute(f"#link-{seat}", "href") for seat in ("IND", "PAK", "RUS")}
    assert all(links.values())
    fac.click("#open-facilitator")
    assert "facilitator" in fac.inner_text("#who")
    ex_url = fac.url

    seats = {}
    for seat, link in links.items():
        page = browser.new_context(viewport=size).new_page()
        page.goto(link)
        assert page.url == ex_url and f"You play {seat}" in page.inner_text("#who")
        seats[seat] = page
    # a seat's page shows its own brief and no facilitator controls
    assert "consent gate" in seats["IND"].inner_text("#brief")
    assert seats["IND"].locator("#advance").count() == 0

    plan = [
        {"IND": "mobilise", "PAK": "threaten_force", "RUS": "offer_mediation"},
        {"IND": "ceasefire", "PAK": "ceasefire", "RUS": "mediate"},
        {"IND": "accept:II", "PAK": "accept:II", "RUS": "cbm:prisoner_exchange"},
    ]
    for turn, moves in enumerate(plan):
        for seat, action in moves.items():
            page = seats[seat]
            page.reload()
            page.select_option("#action", action)
            page.fill("#note", f"turn {turn} {seat}")
            with page.expect_navigation():  # the POST and its redirect, before the page is read
                page.click("#submit-move")
            assert f"turn {turn} {seat}" in page.inner_text("#my-moves")
        if turn == 0:
            seats["IND"].screenshot(path=str(shots / "web-seat.png"), full_page=True)
            fac.reload()
            fac.select_option("#kind", "attack")
            fac.select_option("#target", "IND")
            fac.fill("#fatalities", "26")
            fac.fill("#inote", "militants attack pilgrims")
            with fac.expect_navigation():  # let the POST finish before the reload below
                fac.click("#submit-inject")
            assert "militants attack pilgrims" in fac.inner_text("#all-moves")  # queued for adjudication
        fac.reload()
        assert fac.inner_text("#all-moves").count("turn ") == 3  # the white cell sees every move
        fac.click("#advance")
        assert f"turn {turn + 1}" in fac.inner_text("#shared")
        assert f"What happened in turn {turn}" in fac.inner_text("#last-turn")
        if turn == 0:
            fac.screenshot(path=str(shots / "web-facilitator.png"), full_page=True)
    # every seat sees the result and the forecast ahead
    pak = seats["PAK"]
    pak.reload()
    assert "What happened in turn 2" in pak.inner_text("#last-turn")
    assert re.search(r"\d+\.\d%", pak.inner_text("#ahead-p_rung_ge_5"))
    # ... but not another seat's notes of the open turn
    assert "IND" not in pak.inner_text("#my-moves")

    # governance-model exercise
    pak.click("text=Governance-model exercise (phase 2)")
    first = pak.locator("input[name^='score:']").first
    first.fill("8")
    pak.locator("input[name^='pos:']").first.fill("70")
    pak.click("#submit-scores")
    assert "PAK" in pak.inner_text("#players-zopa")  # the stated position enters the engine
    assert float(pak.locator("input[name^='score:']").first.input_value()) == 8.0
    assert "Zone of agreement" in pak.inner_text("#zopa")
    pak.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    pak.screenshot(path=str(shots / "web-governance.png"), full_page=True)

    # after-action report
    fac.click("#aar-link")
    timeline = fac.inner_text("#timeline")
    for turn in range(3):
        assert f"Turn {turn}:" in timeline
    assert "militants attack pilgrims" in timeline
    assert fac.locator("#forecast-by-turn tr").count() == 4  # header + three turns
    assert fac.locator("svg.chart").count() == 1
    fac.screenshot(path=str(shots / "web-after-action.png"), full_page=True)
    with fac.expect_download() as dl:
        fac.click("#download-json")
    assert dl.value.suggested_filename.endswith(".json")

    # the dashboard: a small forecast in the background, its progress page, the report
    dash = browser.new_context(viewport=size).new_page()
    dash.goto(f"{base}/dashboard")
    dash.fill("#f-runs", "200")
    dash.fill("#f-days", "60")
    dash.click("#start-forecast")
    dash.wait_for_function("document.querySelector('#job-status')?.textContent === 'done'", timeout=120_000)
    dash.click("#open-run")
    assert dash.frame_locator("iframe.report").locator("body").inner_text(timeout=30_000)
    dash.goto(f"{base}/dashboard")
    assert "complete" in dash.inner_text("#runs")
    dash.screenshot(path=str(shots / "web-dashboard.png"), full_page=True)
