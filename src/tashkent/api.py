"""The Python API: one call per analysis, returning labelled results.

`forecast`, `compare`, `backtest` and `bargain` run exactly what the `tashkent` commands of the same
names run (the commands are thin layers over these functions):

    >>> import tashkent
    >>> fc = tashkent.forecast("kashmir-2025", runs=2000, days=90, seed=7)
    >>> fc.milestones.loc[90, "p_crisis"]          # pandas, one row per milestone day
    >>> fc.daily["p_rung"].sel(rung=5)             # xarray, over day and rung/phase/party/track
    >>> fc.to_json()                               # the JSON document of `tashkent forecast --json`
    >>> fc.report("kashmir.html")                  # the self-contained HTML report

Errors a caller can cause raise `tashkent.errors.UserError` with a one-line message naming the
argument (e.g. ``runs=150: must be a positive multiple of 100``).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tashkent.errors import UserError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from tashkent.bargain.result import BargainResult
    from tashkent.scenario.schema import Scenario
    from tashkent.sim.counts import Counts
    from tashkent.sim.ensemble import RunConfig

Progress = Callable[[int, int], None]
# A forecast kept in memory (not stored) keeps the per-block table of its first 10,000 blocks
# (1,000,000 runs) for its report's drivers, so its memory stays flat however many runs it has
# (decision 0071); a stored forecast has every block's row in its run folder.
KEPT_BLOCKS = 10_000
Sets = Sequence[str] | Mapping[str, Any]


def _set_strings(sets: Sets | None) -> list[str]:
    """`--set` strings from a list of "PATH=VALUE" strings or a {path: value} mapping."""
    if sets is None:
        return []
    if isinstance(sets, Mapping):
        return [f"{k}={json.dumps(v)}" for k, v in sets.items()]
    if isinstance(sets, str):
        return [sets]
    return list(sets)


def _list(items: Sequence[Any] | str | Path | None) -> list[Any]:
    if items is None:
        return []
    if isinstance(items, str | Path):
        return [items]
    return list(items)


def load(
    scenario: str | Path | Scenario = "kashmir-2025",
    *,
    set: Sets | None = None,
    inject: Sequence[str] | str | None = None,
    calibrated: bool = True,
) -> Scenario:
    """A scenario (built-in name or YAML file) with the calibration overlay (unless
    `calibrated=False`), `set` overrides and `inject` events applied. A `Scenario` object is
    returned as it is, with `set` applied as overrides."""
    from tashkent.scenario.load import load_scenario
    from tashkent.scenario.overlays import calibrated_overlays
    from tashkent.scenario.schema import Scenario

    if isinstance(scenario, Scenario):
        if inject:
            raise UserError("inject: give injects with a scenario name or file, not a Scenario object")
        sets = _set_strings(set)
        if not sets:
            return scenario
        from tashkent.scenario.load import _coerce, with_overrides

        return with_overrides(scenario, {s.split("=", 1)[0]: _coerce(s.split("=", 1)[1]) for s in sets})
    overlays = calibrated_overlays() if calibrated else []
    return load_scenario(scenario, sets=_set_strings(set), injects=_list(inject), overlays=overlays)


def load_noted(
    scenario: str | Path | Scenario = "kashmir-2025",
    *,
    set: Sets | None = None,
    inject: Sequence[str] | str | None = None,
    calibrated: bool = True,
) -> tuple[Scenario, dict[str, Any]]:
    """As `load`, and what the calibration overlay did: which parameters took its posteriors and
    which kept the scenario's own (explicit) values."""
    from tashkent.scenario.load import load_scenario_noted
    from tashkent.scenario.overlays import calibrated_overlays, calibration_note
    from tashkent.scenario.schema import Scenario

    if isinstance(scenario, Scenario):
        return load(scenario, set=set, inject=inject, calibrated=calibrated), calibration_note({}, False)
    overlays = calibrated_overlays() if calibrated else []
    sc, notes = load_scenario_noted(
        scenario, sets=_set_strings(set), injects=_list(inject), overlays=overlays
    )
    return sc, calibration_note(notes, calibrated and bool(overlays))


# ------------------------------------------------------------------------------------- forecast


@dataclass
class Forecast:
    """The result of `forecast`: the forecast document and the merged counts behind it."""

    document: dict[str, Any]
    scenario: Scenario
    config: RunConfig
    counts: Counts = field(repr=False)
    inputs: dict[str, Any] = field(default_factory=dict)
    run_dir: Path | None = None

    @property
    def milestones(self) -> pd.DataFrame:
        """Milestone probabilities: index `day` (30, 90, 180, 365 and the horizon), one column per
        probability (`p_crisis`, `p_rung_ge_5`, `p_nuclear_signal`, `p_accept_IND_1.5`, ...)."""
        from tashkent.sim.tables import milestone_frame

        return milestone_frame(self.document)

    @property
    def uncertainty(self) -> pd.DataFrame:
        """Per (day, probability): the estimate `p`, its Monte Carlo standard error `se` and the
        5–95% interval (`lo`, `hi`) over parameter uncertainty."""
        from tashkent.sim.tables import uncertainty_frame

        return uncertainty_frame(self.document)

    @property
    def daily(self) -> xr.Dataset:
        """Daily distributions over `day` and `rung`/`phase`/`party`/`track` (xarray)."""
        from tashkent.scenario.schema import TRACKS
        from tashkent.sim.tables import daily_dataset

        return daily_dataset(self.counts, self.scenario.parties, TRACKS, self.scenario.start_date)

    @property
    def time_to_rung(self) -> pd.DataFrame:
        """Days to first standing at rung ≥ k (index `rung` 3–6): `median` over all runs (NaN if
        fewer than half reach it), `median_if_reached`, `q10_if_reached`, `q90_if_reached` and
        `p_reached`."""
        import pandas as pd

        rows = self.document["time_to_rung"]
        frame = pd.DataFrame.from_dict(rows, orient="index").astype(float)
        frame.index = frame.index.astype(int)
        frame.index.name = "rung"
        return frame

    @property
    def run_id(self) -> str | None:
        return self.document.get("run_id")

    def to_json(self) -> dict[str, Any]:
        """The forecast JSON document, as `tashkent forecast --json` prints it."""
        return self.document

    def report(self, path: str | Path, analyses: Sequence[Mapping[str, Any] | str | Path] = ()) -> Path:
        """Write the self-contained HTML report to `path` and return the path. `analyses`: results
        of `tashkent.sensitivity/discover/robust` on the same scenario (documents, or files saved
        with `--save`), each added as a section."""
        from tashkent.explore.report import load_analysis, section
        from tashkent.report.html import write_report

        sections = []
        for a in analyses:
            doc = dict(a) if isinstance(a, Mapping) else load_analysis(Path(a))
            of = doc.get("details", {}).get("scenario")
            if of != self.scenario.name:
                raise UserError(f"analyses: an analysis of {of}, but the forecast is of {self.scenario.name}")
            sections.append(section(doc))
        path = Path(path)
        if self.run_dir is not None:
            return write_report(self.run_dir, path, sections)
        from tashkent.forecasting import write_run_files

        with tempfile.TemporaryDirectory(prefix="tashkent-report-") as tmp:
            write_run_files(Path(tmp), self.scenario, self.config, self.counts, self.document, self.inputs)
            return write_report(Path(tmp), path, sections)


def forecast(
    scenario: str | Path | Scenario = "kashmir-2025",
    *,
    runs: int = 20_000,
    days: int = 365,
    seed: int = 20251120,
    set: Sets | None = None,
    inject: Sequence[str] | str | None = None,
    calibrated: bool = True,
    bargaining_link: bool = True,
    from_events: Sequence[str | Path] | str | Path | None = None,
    from_store: bool = False,
    as_of: str | dt.date | None = None,
    param_mode: str = "sample",
    workers: int | None = None,
    dask: str | None = None,
    chunk_runs: int = 10_000,
    keep_trajectories: int = 200,
    store: bool = False,
    db: str | None = None,
    progress: Progress | None = None,
) -> Forecast:
    """Forecast a scenario: what `tashkent forecast` runs, with the same defaults and numbers.

    Args:
        scenario: built-in name, YAML file or a loaded `Scenario`.
        runs, days, seed: Monte Carlo runs (a multiple of 100), horizon in days, seed.
        set: overrides, ["parameters.attack_rate=0.5"] or {"parameters.attack_rate": 0.5}.
        inject: dated injects, e.g. ["2026-02-15:attack:fatalities=40"].
        calibrated: sample the calibrated posteriors (False: the scenario's priors).
        bargaining_link: take `way_out` and `settlement_gap` from the bargaining analysis.
        from_events, from_store, as_of: start from the state nowcast from coded events.
        param_mode: "sample" (draws from priors) or "fixed" (parameter values).
        workers, dask, chunk_runs: execution (results do not depend on them).
        keep_trajectories: daily trajectories kept for this many runs.
        store: keep the run in the run index and its folder (as the command does); `db` names
            the index (SQLAlchemy URL or SQLite file).
        progress: called with (runs done, runs in all) as chunks finish.
    """
    from tashkent.bargain.link import bargaining_overrides
    from tashkent.sim.ensemble import RunConfig, default_workers

    config = RunConfig(
        runs=runs,
        days=days,
        seed=seed,
        chunk_runs=chunk_runs,
        workers=workers or default_workers(),
        dask=dask,
        keep_trajectories=keep_trajectories,
        param_mode=param_mode,  # type: ignore[arg-type]  # validated here
    )
    config.validate()
    sc, calibration = load_noted(scenario, set=set, inject=inject, calibrated=calibrated)
    events = [Path(p) for p in _list(from_events)]
    nowcast_info: dict[str, Any] = {}
    if events or from_store:
        from tashkent.events.start import apply_nowcast

        sc, nowcast_info = apply_nowcast(sc, events, as_of, from_store, db)
    link, link_info = bargaining_overrides(sc) if bargaining_link else ({}, {})
    config.overrides = link
    inputs = {
        "source": scenario
        if isinstance(scenario, str)
        else str(scenario)
        if isinstance(scenario, Path)
        else sc.name,
        "set": _set_strings(set),
        "inject": _list(inject),
        "calibrated": calibrated,
        "calibration": calibration,
        "from_events": [str(p) for p in events],
        "as_of": str(as_of) if as_of is not None else None,
        "bargaining_link": link_info,
        "nowcast": nowcast_info,
    }
    if store:
        from tashkent import forecasting  # the run index and result files (SQLAlchemy, pandas)

        run_id, run_dir = forecasting.start_run(sc, config, db, inputs)
        doc, total = forecasting.execute(run_id, run_dir, sc, config, db, progress)
        return Forecast(doc, sc, config, total, inputs, run_dir)
    from tashkent.sim.document import document
    from tashkent.sim.ensemble import run_ensemble

    t0 = time.perf_counter()
    total = run_ensemble(sc, config, progress=progress, keep_blocks=KEPT_BLOCKS)
    doc = document(sc, config, total) | {"run_id": None, "seconds": round(time.perf_counter() - t0, 3)}
    doc["calibration"] = calibration
    return Forecast(doc, sc, config, total, inputs, None)


def resume(
    run_id: str,
    *,
    db: str | None = None,
    workers: int | None = None,
    dask: str | None = None,
    progress: Progress | None = None,
) -> Forecast:
    """Finish an interrupted stored run (chunks already on disk are loaded, not run again)."""
    from tashkent import forecasting

    done = forecasting.completed_document(run_id, db)
    if done is not None:  # complete: its stored forecast, counts re-read (and checked) from its chunks
        from tashkent.sim.ensemble import run_ensemble
        from tashkent.store.chunks import ChunkFolder

        run_id, run_dir, sc, config = forecasting.opened(run_id, db)
        total = run_ensemble(sc, config, chunks=ChunkFolder(run_dir), keep_blocks=0)
        inputs = forecasting.load_manifest(run_dir).get("inputs", {})
        return Forecast(done, sc, config, total, inputs, run_dir)
    run_id, run_dir, sc, config = forecasting.reopen(run_id, db, workers, dask)
    doc, total = forecasting.execute(run_id, run_dir, sc, config, db, progress)
    inputs = forecasting.load_manifest(run_dir).get("inputs", {})
    return Forecast(doc, sc, config, total, inputs, run_dir)


# -------------------------------------------------------------------------------------- compare


@dataclass
class Comparison:
    """The result of `compare`: paired differences of each variant from the base."""

    document: dict[str, Any]

    @property
    def differences(self) -> pd.DataFrame:
        """One row per (variant, metric): `base`, `variant`, `diff`, `se`, `ci_lo`, `ci_hi`."""
        import pandas as pd

        rows = [
            {
                "variant": v["label"],
                "metric": r["metric"],
                "base": r["base"],
                "value": r["variant"],
                "diff": r["diff"],
                "se": r["se"],
                "ci_lo": r["ci95"][0],
                "ci_hi": r["ci95"][1],
            }
            for v in self.document["variants"]
            for r in v["differences"]
        ]
        return pd.DataFrame(rows).set_index(["variant", "metric"])

    def to_json(self) -> dict[str, Any]:
        """The JSON document of `tashkent compare --json`."""
        return self.document


def compare(
    base: str | Path,
    variants: Sequence[str] | str,
    *,
    runs: int = 10_000,
    days: int = 365,
    seed: int = 20251120,
    set: Sets | None = None,
    inject: Sequence[str] | str | None = None,
    calibrated: bool = True,
    workers: int | None = None,
) -> Comparison:
    """Compare variants of a scenario with common random numbers (the same seed for all).

    A variant is `[LABEL=]SOURCE`: a scenario name or file, or overlays on the base
    (`set:PATH=VALUE[;PATH=VALUE…]` and/or `inject:DATE:KIND:key=value`, joined by `+`).
    `set` and `inject` apply to the base and every variant."""
    from tashkent.bargain.link import bargaining_overrides
    from tashkent.scenario.overlays import calibrated_overlays
    from tashkent.scenario.variants import parse_variant
    from tashkent.sim.compare import metrics_for, paired_differences
    from tashkent.sim.ensemble import RunConfig, default_workers, run_ensemble

    overlays = calibrated_overlays() if calibrated else []
    sets, injects = _set_strings(set), _list(inject)
    base_sc, calibration = load_noted(base, set=sets, inject=injects, calibrated=calibrated)
    link, _ = bargaining_overrides(base_sc)
    config = RunConfig(
        runs=runs,
        days=days,
        seed=seed,
        workers=workers or default_workers(),
        keep_trajectories=0,
        overrides=link,
    )
    config.validate()
    base_total = run_ensemble(base_sc, config)
    out: dict[str, Any] = {"base": str(base), "runs": runs, "days": days, "seed": seed, "variants": []}
    out["calibration"] = calibration
    for text in _list(variants):
        label, sc = parse_variant(text, str(base), sets, injects, overlays)
        if sc.parties != base_sc.parties:
            raise UserError(
                f"variant {label!r} has parties {sc.parties}, base has {base_sc.parties}; "
                "compare variants of one dyad"
            )
        total = run_ensemble(sc, config)
        out["variants"].append(
            {
                "label": label,
                "differences": paired_differences(base_total, total, metrics_for(base_sc.parties)),
            }
        )
    return Comparison(out)


# ------------------------------------------------------------------------------------- backtest


@dataclass
class Backtest:
    """The result of `backtest`: scores of the model and the baselines per design."""

    designs: list[dict[str, Any]]

    @property
    def scores(self) -> pd.DataFrame:
        """One row per (design, metric, forecaster): the mean score (lower is better) and `n`."""
        import pandas as pd

        rows = [
            {"design": r["method"], "metric": metric, "forecaster": name, "score": score, "n": r["n"][metric]}
            for r in self.designs
            for metric, by in r["scores"].items()
            for name, score in by.items()
        ]
        return pd.DataFrame(rows).set_index(["design", "metric", "forecaster"])

    def to_json(self) -> dict[str, Any]:
        """The JSON document of `tashkent backtest --json`."""
        return self.designs[0] if len(self.designs) == 1 else {"designs": self.designs}

    def report(self, path: str | Path) -> Path:
        """Write the offline HTML report of the back-test to `path`."""
        from tashkent.history.report import render_html
        from tashkent.store.paths import atomic_write

        path = Path(path)
        with atomic_write(path) as fh:
            fh.write(render_html(self.designs))
        return path


def backtest(
    method: str = "loo",
    *,
    data: str | Path | None = None,
    baselines_only: bool = False,
    runs: int = 10_000,
    seed: int = 20251120,
    dyad: str = "india-pakistan",
    status: Callable[[str], Any] | None = None,
) -> Backtest:
    """Replay every crisis of the record from its trigger and score the model's forecasts and the
    baselines' (method "loo", "temporal" or "both"). `data` is a crisis record CSV (default: the
    packaged record of `dyad`, "india-pakistan" or "pakistan-afghanistan")."""
    import contextlib

    from tashkent.history.backtest import METHODS, run_backtest
    from tashkent.history.baselines import BASELINES
    from tashkent.history.record import load_crises

    methods = list(METHODS) if method == "both" else [method]
    if any(m not in METHODS for m in methods):
        raise UserError(f"method {method!r}: not a design; use loo, temporal or both")
    if runs < 100 or runs % 100:
        raise UserError(f"runs {runs}: must be a positive multiple of 100 (blocks of 100 runs)")
    from tashkent.history.dyads import get_dyad

    crises = load_crises(data, dyad=get_dyad(dyad).name)
    if dyad != "india-pakistan" and "temporal" in methods:
        raise UserError(
            f"method temporal needs crises before 2000; the {dyad} record starts in 2021: use loo"
        )
    forecasters = list(BASELINES)
    if not baselines_only:
        from tashkent.history.baselines import Conditions
        from tashkent.history.model_forecaster import model_forecaster

        model = model_forecaster(runs=runs, seed=seed, dyad=dyad)
        ctx = (
            status(f"simulating {len(crises)} crises × {runs:,} runs") if status else contextlib.nullcontext()
        )
        with ctx:
            model.bank.prepare([Conditions.of(c) for c in crises])
            model.bank.onset()
        forecasters.insert(0, model)
    return Backtest([run_backtest(crises, m, forecasters, seed=seed) for m in methods])


# -------------------------------------------------------------------------------------- bargain


def bargain(
    source: str | Path,
    *,
    model: str = "smp",
    rounds: int | None = None,
    options: Sequence[str] | Mapping[str, Any] | None = None,
    seed: int | None = None,
) -> BargainResult:
    """Forecast where a negotiation lands with a bargaining model ("eu", "smp" or "compromise").
    `source` is a CSV (plain or KTAB format) or a scenario with a `bargaining` section; `options`
    are the model's options, ["q=0.5"] or {"q": 0.5}. The result has per-round positions
    (`history`), the forecast, baselines and `.to_json()`."""
    from tashkent.bargain.run import load_problem, run_model

    problem, _spec, _scenario = load_problem(source)
    opts = [f"{k}={v}" for k, v in options.items()] if isinstance(options, Mapping) else _list(options)
    return run_model(problem, model, rounds, opts, seed)


# ------------------------------------------------------------------- conditions for success


def _execution(workers: int, dask: str | None, store: str | Path | None, chunk_blocks: int) -> Any:
    from tashkent.explore.runner import Execution

    return Execution.make(workers, dask, store, chunk_blocks)


def sensitivity(
    scenario: str | Path | Scenario = "kashmir-2025",
    outcome: str = "rung_ge_5",
    *,
    method: str = "sobol",
    samples: int | None = None,
    runs_per_experiment: int = 100,
    days: int = 365,
    seed: int = 20251120,
    set: Sets | None = None,
    calibrated: bool = True,
    workers: int = 0,
    dask: str | None = None,
    store: str | Path | None = None,
    chunk_blocks: int = 64,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """What `tashkent sensitivity` computes (the command calls this): Sobol S1/ST (or Morris mu*)
    of `outcome` for every uncertain parameter, as the command's JSON document plus `details`."""
    from tashkent.explore.sensitivity import DEFAULT_SAMPLES, Settings
    from tashkent.explore.sensitivity import sensitivity as run

    if method not in DEFAULT_SAMPLES:
        raise UserError(f"--method {method}: choose sobol or morris")
    execution = _execution(workers, dask, store, chunk_blocks)
    n = samples or DEFAULT_SAMPLES[method]
    settings = Settings(samples=n, runs_per_experiment=runs_per_experiment, days=days, seed=seed)
    sc = load(scenario, set=set, calibrated=calibrated)
    return run(sc, outcome, method, settings, execution, progress)  # type: ignore[arg-type]


def discover(
    scenario: str | Path | Scenario = "kashmir-2025",
    outcome: str = "mediation",
    *,
    actor: str | None = None,
    experiments: int = 960,
    strategies: int = 24,
    min_coverage: float = 0.5,
    alpha: float = 0.05,
    boxes: int = 2,
    runs_per_experiment: int = 100,
    days: int = 365,
    seed: int = 20251120,
    set: Sets | None = None,
    calibrated: bool = True,
    workers: int = 0,
    dask: str | None = None,
    store: str | Path | None = None,
    chunk_blocks: int = 64,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """What `tashkent discover` computes (the command calls this): PRIM boxes where `outcome`
    happens, with the peeling trajectories."""
    from tashkent.explore.discovery import Settings
    from tashkent.explore.discovery import discover as run

    for flag, v, lo, hi in (("--min-coverage", min_coverage, 0.0, 1.0), ("--alpha", alpha, 0.001, 0.5)):
        if not lo <= v <= hi:
            raise UserError(f"{flag} {v}: must be between {lo:g} and {hi:g}")
    if boxes < 1 or strategies < 1:
        raise UserError("--boxes and --strategies must be at least 1")
    execution = _execution(workers, dask, store, chunk_blocks)
    settings = Settings(
        experiments=experiments,
        strategies=strategies,
        runs_per_experiment=runs_per_experiment,
        days=days,
        seed=seed,
        alpha=alpha,
        min_coverage=min_coverage,
        max_boxes=boxes,
    )
    sc = load(scenario, set=set, calibrated=calibrated)
    return run(sc, outcome, actor, settings, execution, progress)


def robust(
    scenario: str | Path | Scenario = "kashmir-2025",
    actor: str = "RUS",
    *,
    outcomes: Sequence[str] = ("mediation", "phase_ge_1", "rung_ge_5"),
    require: Sequence[str] = (),
    futures: int = 24,
    max_strategies: int = 96,
    runs_per_experiment: int = 100,
    days: int = 365,
    seed: int = 20251120,
    set: Sets | None = None,
    calibrated: bool = True,
    workers: int = 0,
    dask: str | None = None,
    store: str | Path | None = None,
    chunk_blocks: int = 64,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """What `tashkent robust` computes (the command calls this): the actor's strategies ranked by
    minimax regret (and satisficing with `require`, e.g. ["mediation>=0.3"]) across one shared
    sample of futures."""
    from tashkent.explore.robust import Settings
    from tashkent.explore.robust import robust as run

    if max_strategies < 2:
        raise UserError(f"--max-strategies {max_strategies}: must be at least 2")
    execution = _execution(workers, dask, store, chunk_blocks)
    settings = Settings(
        scenarios=futures,
        max_strategies=max_strategies,
        runs_per_experiment=runs_per_experiment,
        days=days,
        seed=seed,
    )
    sc = load(scenario, set=set, calibrated=calibrated)
    return run(sc, actor, list(outcomes), list(require), settings, execution, progress)
