"""The web app: a thin HTTP layer over `tashkent.exercise.service` (exercises) and
`tashkent.web.library` (the forecast dashboard). JSON under /api (Bearer tokens), server-rendered
pages elsewhere (a join link sets an HttpOnly, SameSite=Strict cookie per exercise). Everything the
pages need is served from this package: no CDN, no front-end build."""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from tashkent import __version__
from tashkent.errors import UserError
from tashkent.exercise import service
from tashkent.exercise.runner import ModelPool, Runner, inline
from tashkent.exercise.service import Caller, ExerciseError, Invalid
from tashkent.store.exercises import ExerciseStore
from tashkent.web import library
from tashkent.web.charts import band_chart

HERE = Path(str(resources.files("tashkent").joinpath("web")))
DOWNLOADS = ("summary.json", "milestones.parquet", "daily.parquet", "survival.parquet", "fatalities.parquet",
             "trajectories.parquet", "blocks.parquet", "manifest.json")  # fmt: skip


def _cookie(exercise_id: str) -> str:
    return f"tk_{exercise_id}"


def _bearer(request: Request) -> str | None:
    h = request.headers.get("authorization", "")
    if h.lower().startswith("bearer "):
        return h[7:].strip() or None
    return None


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid("the body is not JSON; send Content-Type: application/json") from None
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    return body


def _whole(fields: Mapping[str, Any], key: str, default: int) -> int:
    """A whole number from a JSON body or a form (a number or its digits; not 2.5, not true)."""
    v = fields.get(key, default)
    try:
        return int(str(v).strip())
    except ValueError:
        raise Invalid(f"{key}: {v!r} is not a whole number") from None


def create_app(db: str | None = None, workers: int = 0, run: Runner | None = None) -> FastAPI:
    """The app on one database (SQLAlchemy URL or SQLite file; default under TASHKENT_HOME).
    The model's work for exercises (opening forecast, adjudication) runs in `workers` worker
    processes, or in the server's own threads with 0; `run` replaces both (tests)."""
    store = ExerciseStore(db)
    library.interrupt_stale_jobs(store)
    service.recover(store)
    pool = ModelPool(workers) if workers > 0 and run is None else None
    model: Runner = run or pool or inline
    app = FastAPI(title="tashkent", version=__version__, docs_url="/api/docs", redoc_url=None)
    if pool is not None:
        app.router.on_shutdown.append(pool.close)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["pct"] = lambda p: "—" if p is None else f"{100 * float(p):.1f}%"
    templates.env.filters["num"] = lambda x, d=2: "—" if x is None else f"{float(x):.{d}f}"
    app.state.store = store
    css_text = (HERE / "static" / "style.css").read_text(encoding="utf-8")

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"version": __version__, **ctx}, status_code=status)

    @app.exception_handler(ExerciseError)
    async def _exercise_error(request: Request, exc: ExerciseError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        return page(request, "error.html", status=exc.status, message=exc.message, status_code=exc.status)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.message}, status_code=422)
        return page(request, "error.html", status=422, message=exc.message, status_code=422)

    def api_caller(request: Request, exercise_id: str) -> Caller:
        return service.authenticate(store, exercise_id, _bearer(request))

    def page_caller(request: Request, exercise_id: str) -> Caller:
        return service.authenticate(store, exercise_id, request.cookies.get(_cookie(exercise_id)))

    # ------------------------------------------------------------------ JSON API: exercises

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    @app.get("/api/exercises")
    def api_list() -> list[dict[str, Any]]:
        return service.list_exercises(store)

    def create(request: Request, fields: Mapping[str, Any], seats: Any) -> dict[str, Any]:
        """One exercise from the JSON body or the form's fields, with its join links."""
        if not isinstance(seats, list) or not all(isinstance(s, str) for s in seats):
            raise Invalid('seats: give a list of seat ids, e.g. ["IND", "PAK", "RUS"]')
        out = service.create(
            store,
            str(fields.get("scenario", "kashmir-2025")),
            seats,
            str(fields.get("title", ""))[:200],
            _whole(fields, "turn_days", 30),
            _whole(fields, "seed", 20251120),
            model,
        )
        base = str(request.base_url).rstrip("/")
        out["join_links"] = {
            "facilitator": f"{base}/join/{out['id']}/{out['facilitator_token']}",
            **{s: f"{base}/join/{out['id']}/{t}" for s, t in out["seat_tokens"].items()},
        }
        return out

    @app.post("/api/exercises", status_code=201)
    async def api_create(request: Request) -> dict[str, Any]:
        body = await _json_body(request)
        return await run_in_threadpool(create, request, body, body.get("seats"))

    @app.get("/api/exercises/{exercise_id}")
    def api_view(request: Request, exercise_id: str) -> dict[str, Any]:
        return service.view(store, api_caller(request, exercise_id))

    @app.get("/api/exercises/{exercise_id}/actions")
    def api_actions(request: Request, exercise_id: str) -> list[dict[str, Any]]:
        return service.actions(store, api_caller(request, exercise_id))

    @app.post("/api/exercises/{exercise_id}/moves", status_code=201)
    async def api_move(request: Request, exercise_id: str) -> dict[str, Any]:
        caller = api_caller(request, exercise_id)
        body = await _json_body(request)
        return service.move(
            store, caller, str(body.get("seat", "")), str(body.get("action", "")), str(body.get("note", ""))
        )

    @app.post("/api/exercises/{exercise_id}/injects", status_code=201)
    async def api_inject(request: Request, exercise_id: str) -> dict[str, Any]:
        caller = api_caller(request, exercise_id)
        return service.inject(store, caller, await _json_body(request))

    @app.post("/api/exercises/{exercise_id}/advance")
    def api_advance(request: Request, exercise_id: str) -> dict[str, Any]:
        return service.advance(store, api_caller(request, exercise_id), model)

    @app.post("/api/exercises/{exercise_id}/end")
    def api_end(request: Request, exercise_id: str) -> dict[str, Any]:
        return service.end(store, api_caller(request, exercise_id))

    @app.post("/api/exercises/{exercise_id}/seats/{seat}/token")
    def api_reissue(request: Request, exercise_id: str, seat: str) -> dict[str, Any]:
        return service.reissue(store, api_caller(request, exercise_id), seat)

    @app.get("/api/exercises/{exercise_id}/governance")
    def api_governance(request: Request, exercise_id: str) -> dict[str, Any]:
        return service.governance(store, api_caller(request, exercise_id))

    @app.post("/api/exercises/{exercise_id}/scores")
    async def api_scores(request: Request, exercise_id: str) -> dict[str, Any]:
        caller = api_caller(request, exercise_id)
        body = await _json_body(request)
        return service.score_packages(store, caller, body.get("scores", body))

    @app.post("/api/exercises/{exercise_id}/positions")
    async def api_positions(request: Request, exercise_id: str) -> dict[str, Any]:
        caller = api_caller(request, exercise_id)
        body = await _json_body(request)
        return service.state_positions(store, caller, body.get("positions", body))

    @app.get("/api/exercises/{exercise_id}/after-action")
    def api_after_action(request: Request, exercise_id: str) -> dict[str, Any]:
        return service.after_action(store, api_caller(request, exercise_id))

    # ------------------------------------------------------------------ JSON API: dashboard

    @app.get("/api/scenarios")
    def api_scenarios() -> list[dict[str, Any]]:
        return library.scenarios()

    @app.get("/api/runs")
    def api_runs() -> list[dict[str, Any]]:
        return library.runs(store.url)

    @app.post("/api/forecasts", status_code=202)
    async def api_forecast(request: Request) -> dict[str, Any]:
        return {"job": library.start_forecast(store, store.url, await _json_body(request))}

    @app.post("/api/compare", status_code=202)
    async def api_compare(request: Request) -> dict[str, Any]:
        return {"job": library.start_compare(store, await _json_body(request))}

    @app.get("/api/jobs/{job_id}")
    def api_job(job_id: str) -> dict[str, Any]:
        j = library.job(store, job_id)
        if j is None:
            raise service.NotFound(f"no job {job_id!r}")
        return j

    @app.get("/api/packages/{scenario}")
    def api_packages(scenario: str) -> dict[str, Any]:
        return library.package_analysis(scenario)

    @app.get("/runs/{run_id}/files/{name}")
    def run_file(run_id: str, name: str) -> Response:
        if name not in DOWNLOADS:
            raise service.NotFound(f"no file {name!r}; downloads are {', '.join(DOWNLOADS)}")
        path = library.run_dir(store.url, run_id) / name
        if not path.is_file():
            raise service.NotFound(f"run {run_id} has no {name} yet")
        return FileResponse(path, filename=f"{run_id}-{name}")

    # ------------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return page(
            request, "home.html", exercises=service.list_exercises(store), scenarios=library.scenarios()
        )

    @app.get("/exercises/new", response_class=HTMLResponse)
    def new_exercise(request: Request, scenario: str = "kashmir-2025") -> HTMLResponse:
        from tashkent.exercise.seats import available_seats

        sc = library.load_scenario_calibrated(scenario)
        return page(
            request, "new.html", scenario=scenario, seats=available_seats(sc), scenarios=library.scenarios()
        )

    @app.post("/exercises", response_class=HTMLResponse)
    async def create_exercise(request: Request) -> HTMLResponse:
        form = await request.form()
        out = await run_in_threadpool(create, request, form, [str(s) for s in form.getlist("seats")])
        resp = page(request, "created.html", ex=out, links=out["join_links"])
        _set_cookie(resp, out["id"], out["facilitator_token"])
        return resp

    @app.get("/join/{exercise_id}/{token}")
    def join(exercise_id: str, token: str) -> Response:
        service.authenticate(store, exercise_id, token)
        resp = RedirectResponse(f"/exercises/{exercise_id}", status_code=303)
        _set_cookie(resp, exercise_id, token)
        return resp

    @app.get("/exercises/{exercise_id}", response_class=HTMLResponse)
    def exercise_page(request: Request, exercise_id: str) -> HTMLResponse:
        caller = page_caller(request, exercise_id)
        v = service.view(store, caller)
        acts = service.actions(store, caller) if caller.role == "seat" else []
        return page(
            request, "exercise.html", v=v, actions=acts, caller=caller, inject_kinds=service.INJECT_KINDS
        )

    @app.post("/exercises/{exercise_id}/move")
    async def move_form(request: Request, exercise_id: str) -> Response:
        caller = page_caller(request, exercise_id)
        form = await request.form()
        service.move(store, caller, caller.seat or "", str(form.get("action", "")), str(form.get("note", "")))
        return RedirectResponse(f"/exercises/{exercise_id}", status_code=303)

    @app.post("/exercises/{exercise_id}/inject")
    async def inject_form(request: Request, exercise_id: str) -> Response:
        caller = page_caller(request, exercise_id)
        form = await request.form()
        event: dict[str, Any] = {k: str(v) for k, v in form.items() if str(v).strip()}
        for k in ("fatalities", "delta", "engagement"):
            if k in event:
                try:
                    event[k] = float(event[k])
                except ValueError:
                    raise Invalid(f"{k}: {event[k]!r} is not a number") from None
        service.inject(store, caller, event)
        return RedirectResponse(f"/exercises/{exercise_id}", status_code=303)

    @app.post("/exercises/{exercise_id}/advance")
    def advance_form(request: Request, exercise_id: str) -> Response:
        service.advance(store, page_caller(request, exercise_id), model)
        return RedirectResponse(f"/exercises/{exercise_id}", status_code=303)

    @app.post("/exercises/{exercise_id}/end")
    def end_form(request: Request, exercise_id: str) -> Response:
        service.end(store, page_caller(request, exercise_id))
        return RedirectResponse(f"/exercises/{exercise_id}/after-action", status_code=303)

    @app.get("/exercises/{exercise_id}/governance", response_class=HTMLResponse)
    def governance_page(request: Request, exercise_id: str) -> HTMLResponse:
        caller = page_caller(request, exercise_id)
        g = service.governance(store, caller)
        v = service.view(store, caller)
        mine = {r["package"]: r["score"] for r in g.get("scores", []) if r["seat"] == caller.seat}
        return page(request, "governance.html", g=g, v=v, caller=caller, mine=mine)

    @app.get("/exercises/{exercise_id}/governance.png")
    def governance_png(request: Request, exercise_id: str) -> Response:
        caller = page_caller(request, exercise_id)
        v = service.view(store, caller)
        why = service.no_packages(library.load_scenario_calibrated(v["scenario"]))
        if why is not None:
            raise service.NotFound(why)
        return Response(library.package_png(v["scenario"]), media_type="image/png")

    @app.post("/exercises/{exercise_id}/scores")
    async def scores_form(request: Request, exercise_id: str) -> Response:
        caller = page_caller(request, exercise_id)
        form = await request.form()
        scores = {k[6:]: str(v) for k, v in form.items() if k.startswith("score:") and str(v).strip()}
        service.score_packages(store, caller, scores)
        stated = {k[4:]: str(v) for k, v in form.items() if k.startswith("pos:") and str(v).strip()}
        if stated:
            service.state_positions(store, caller, stated)
        return RedirectResponse(f"/exercises/{exercise_id}/governance", status_code=303)

    @app.get("/exercises/{exercise_id}/after-action", response_class=HTMLResponse)
    def after_action_page(request: Request, exercise_id: str, download: int = 0) -> HTMLResponse:
        caller = page_caller(request, exercise_id)
        aar = service.after_action(store, caller)
        chart = band_chart(
            [{"x": f"T{r['turn'] + 1}", **r["p_rung_ge_5_ahead"]} for r in aar["forecast_by_turn"]],
            f"P(rung ≥ 5 within {_ahead_days(aar)} days), forecast after each turn, 90% interval",
        )
        resp = page(
            request, "after_action.html", aar=aar, chart=chart, standalone=bool(download), css_text=css_text
        )
        if download:
            resp.headers["content-disposition"] = f'attachment; filename="after-action-{exercise_id}.html"'
        return resp

    @app.get("/exercises/{exercise_id}/after-action.json")
    def after_action_json(request: Request, exercise_id: str) -> Response:
        aar = service.after_action(store, page_caller(request, exercise_id))
        return Response(
            json.dumps(aar, indent=1),
            media_type="application/json",
            headers={"content-disposition": f'attachment; filename="after-action-{exercise_id}.json"'},
        )

    # dashboard pages

    @app.get("/dashboard", response_class=HTMLResponse)
    def dashboard(request: Request) -> HTMLResponse:
        return page(
            request,
            "dashboard.html",
            scenarios=library.scenarios(),
            runs=library.runs(store.url),
            jobs=library.jobs(store),
        )

    @app.post("/dashboard/forecast")
    async def forecast_form(request: Request) -> Response:
        req = _job_request(await request.form(), "2000", "set", "inject")
        return RedirectResponse(f"/jobs/{library.start_forecast(store, store.url, req)}", status_code=303)

    @app.post("/dashboard/compare")
    async def compare_form(request: Request) -> Response:
        req = _job_request(await request.form(), "1000", "variants")
        return RedirectResponse(f"/jobs/{library.start_compare(store, req)}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str) -> HTMLResponse:
        j = library.job(store, job_id)
        if j is None:
            raise service.NotFound(f"no job {job_id!r}")
        return page(request, "job.html", j=j)

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(request: Request, run_id: str) -> HTMLResponse:
        rdir = library.run_dir(store.url, run_id)
        if not (rdir / "summary.json").is_file():
            raise service.NotFound(f"run {run_id} has no results yet")
        return page(
            request,
            "run.html",
            run_id=run_id,
            files=[f for f in DOWNLOADS if (rdir / f).is_file()],
        )

    @app.get("/runs/{run_id}/report", response_class=HTMLResponse)
    def run_report(run_id: str) -> HTMLResponse:
        return HTMLResponse(library.report_html(store.url, run_id))

    @app.get("/packages/{scenario}", response_class=HTMLResponse)
    def packages_page(request: Request, scenario: str) -> HTMLResponse:
        return page(request, "packages.html", a=library.package_analysis(scenario), scenario=scenario)

    @app.get("/packages/{scenario}/frontier.png")
    def packages_png(scenario: str) -> Response:
        return Response(library.package_png(scenario), media_type="image/png")

    return app


def _job_request(form: Mapping[str, Any], runs: str, *lists: str) -> dict[str, Any]:
    """A dashboard form as a job request: scenario, runs, days and seed as given, and each field
    of `lists` (one entry a line) as a list."""
    req: dict[str, Any] = {
        "scenario": str(form.get("scenario", "kashmir-2025")),
        "runs": str(form.get("runs", runs)),
        "days": str(form.get("days", "365")),
        "seed": str(form.get("seed", "20251120")),
    }
    for key in lists:
        req[key] = [s.strip() for s in str(form.get(key, "")).splitlines() if s.strip()]
    return req


def _ahead_days(aar: dict[str, Any]) -> int:
    ahead = aar.get("ahead_now") or {}
    return int(ahead.get("days", 90))


def _set_cookie(resp: Response, exercise_id: str, token: str) -> None:
    resp.set_cookie(
        _cookie(exercise_id),
        quote(token, safe=""),
        httponly=True,
        samesite="strict",
        max_age=60 * 60 * 24 * 60,
    )
