"""The one place where the web app and the exercises call tashkent's forecasting library: scenarios
with the shipped calibration, the bargaining link, package analyses, forecast runs and comparisons.
When the library API (`tashkent.api`) lands, only this module changes."""

from __future__ import annotations

import json
import threading
import traceback
from pathlib import Path
from typing import Any

from tashkent.errors import UserError
from tashkent.exercise import inputs
from tashkent.store.exercises import ExerciseStore, JobRow, utcnow

MAX_RUNS = 200_000  # largest ensemble the dashboard starts (a browser request must stay bounded)


load_scenario_calibrated = inputs.scenario
link_overrides = inputs.link_overrides
package_analysis = inputs.package_analysis


def package_png(name: str) -> bytes:
    """The Pareto frontier with the zone of agreement, Nash and Kalai–Smorodinsky points (PNG)."""
    from tashkent.bargain.report import frontier_plot

    return frontier_plot(package_analysis(name))


def scenarios() -> list[dict[str, Any]]:
    from tashkent.scenario.load import builtin_names

    out = []
    for n in builtin_names():
        sc = load_scenario_calibrated(n)
        out.append(
            {
                "name": n,
                "start_date": sc.start_date.isoformat(),
                "parties": list(sc.parties),
                "actors": [a.id for a in sc.actors],
                "has_packages": bool(sc.bargaining and sc.bargaining.packages),
            }
        )
    return out


def runs(db: str | None, limit: int = 50) -> list[dict[str, Any]]:
    from tashkent.store import index

    return [
        {
            "run_id": r.run_id,
            "status": r.status,
            "scenario": r.scenario,
            "runs": r.runs,
            "days": r.days,
            "seed": r.seed,
            "created": r.created.isoformat(timespec="seconds"),
            "seconds": r.seconds,
            "headline": r.headline,
        }
        for r in index.list_runs(db, limit)
    ]


def run_dir(db: str | None, run_id: str) -> Path:
    from tashkent.store import index

    return Path(index.get_run(db, run_id).run_dir)


def report_html(db: str | None, run_id: str) -> str:
    from tashkent.report.html import render

    return render(run_dir(db, run_id))


# ------------------------------------------------------------------ background jobs


def _set(store: ExerciseStore, job_id: str, **values: Any) -> None:
    with store.writing() as s:
        row = s.get(JobRow, job_id)
        if row is not None:
            for k, v in values.items():
                setattr(row, k, v)


def new_job(store: ExerciseStore, kind: str, request: dict[str, Any], total: int) -> str:
    import secrets

    job_id = secrets.token_hex(6)
    with store.writing() as s:
        s.add(
            JobRow(
                id=job_id, created=utcnow(), kind=kind, status="queued", done=0, total=total, request=request
            )
        )
    return job_id


def interrupt_stale_jobs(store: ExerciseStore) -> None:
    """Jobs left running by a server that stopped: mark them interrupted (forecasts can resume)."""
    from sqlalchemy import update

    with store.writing() as s:
        s.execute(update(JobRow).where(JobRow.status.in_(["queued", "running"])).values(status="interrupted"))


def _checked(request: dict[str, Any]) -> tuple[str, int, int, int, list[str], list[str]]:
    scen = str(request.get("scenario") or "kashmir-2025")
    try:
        runs_ = int(request.get("runs", 2000))
        days = int(request.get("days", 365))
        seed = int(request.get("seed", 20251120))
    except (TypeError, ValueError):
        raise UserError("runs, days and seed must be integers") from None
    if not 100 <= runs_ <= MAX_RUNS or runs_ % 100:
        raise UserError(f"runs {runs_}: must be a multiple of 100 between 100 and {MAX_RUNS:,}")
    if not 1 <= days <= 3650:
        raise UserError(f"days {days}: must be between 1 and 3650")
    sets = [s for s in request.get("set", []) if s]
    injects = [s for s in request.get("inject", []) if s]
    return scen, runs_, days, seed, sets, injects


def start_forecast(store: ExerciseStore, db: str | None, request: dict[str, Any]) -> str:
    """Start a stored forecast (`tashkent.forecast(..., store=True)`) in a background thread;
    progress goes to the job row."""
    from tashkent import api

    scen, runs_, days, seed, sets, injects = _checked(request)
    api.load(scen, set=sets, inject=injects)  # bad input fails here, before the job exists
    job_id = new_job(store, "forecast", request, runs_)

    def work() -> None:
        _set(store, job_id, status="running")
        try:
            fc = api.forecast(
                scen,
                runs=runs_,
                days=days,
                seed=seed,
                set=sets,
                inject=injects,
                workers=1,
                chunk_runs=min(runs_, 1000),
                store=True,
                db=db,
                progress=lambda done, total: _set(store, job_id, done=done, total=total),
            )
            from tashkent.forecasting import headline

            result = {"run_id": fc.run_id, "headline": headline(fc.to_json())}
            _set(store, job_id, status="done", done=runs_, result=result)
        except UserError as exc:
            _set(store, job_id, status="failed", error=exc.message[:1000])
        except Exception as exc:  # reported on the job page, not lost in a thread
            _set(store, job_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:1000])
            traceback.print_exc()

    threading.Thread(target=work, name=f"job-{job_id}", daemon=True).start()
    return job_id


def start_compare(store: ExerciseStore, request: dict[str, Any]) -> str:
    """`tashkent.compare` (paired runs, common random numbers) of variants against a base, in the
    background; the job's progress moves when the comparison is done."""
    from tashkent import api
    from tashkent.scenario.overlays import calibrated_overlays
    from tashkent.scenario.variants import parse_variant

    scen, runs_, days, seed, sets, injects = _checked(request)
    variants = [v for v in request.get("variants", []) if v]
    if not variants:
        raise UserError("variants: give at least one, e.g. set:parameters.attack_rate=0.5")
    api.load(scen, set=sets, inject=injects)  # bad input fails here, before the job exists
    for v in variants:
        parse_variant(v, scen, sets, injects, calibrated_overlays())
    total = runs_ * (1 + len(variants))
    job_id = new_job(store, "compare", request, total)

    def work() -> None:
        _set(store, job_id, status="running")
        try:
            doc = api.compare(
                scen, variants, runs=runs_, days=days, seed=seed, set=sets, inject=injects, workers=1
            )
            _set(
                store,
                job_id,
                status="done",
                done=total,
                result=json.loads(json.dumps(doc.to_json(), default=float)),
            )
        except UserError as exc:
            _set(store, job_id, status="failed", error=exc.message[:1000])
        except Exception as exc:
            _set(store, job_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:1000])

    threading.Thread(target=work, name=f"job-{job_id}", daemon=True).start()
    return job_id


def job(store: ExerciseStore, job_id: str) -> dict[str, Any] | None:
    with store.reading() as s:
        row = s.get(JobRow, job_id)
        if row is None:
            return None
        return {
            "id": row.id,
            "kind": row.kind,
            "status": row.status,
            "done": row.done,
            "total": row.total,
            "request": row.request,
            "result": row.result,
            "error": row.error,
            "created": row.created.isoformat(timespec="seconds"),
        }


def jobs(store: ExerciseStore, limit: int = 30) -> list[dict[str, Any]]:
    from sqlalchemy import select

    with store.reading() as s:
        ids = list(s.scalars(select(JobRow.id).order_by(JobRow.created.desc()).limit(limit)))
    return [j for j in (job(store, i) for i in ids) if j]
