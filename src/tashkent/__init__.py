"""tashkent: model, simulate and forecast third-party mediation of interstate conflicts
under the shadow of crisis escalation.

The Python API (`tashkent.api`), loaded on first use so that `import tashkent` and the command
line start fast:

- `tashkent.forecast(scenario, runs=, days=, seed=, ...)` -> `Forecast` (`.milestones`, `.daily`,
  `.to_json()`, `.report(path)`)
- `tashkent.compare(base, variants, ...)` -> `Comparison` (`.differences`, `.to_json()`)
- `tashkent.backtest(method, ...)` -> `Backtest` (`.scores`, `.to_json()`, `.report(path)`)
- `tashkent.bargain(source, model=, ...)` -> `BargainResult`
- `tashkent.load(scenario, set=, inject=)` -> `Scenario`; `tashkent.resume(run_id)` -> `Forecast`
- `tashkent.sensitivity(scenario, outcome)`, `tashkent.discover(scenario, outcome)`,
  `tashkent.robust(scenario, actor)` -> the JSON documents of the commands of the same names
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = (
    "forecast",
    "compare",
    "backtest",
    "bargain",
    "load",
    "resume",
    "sensitivity",
    "discover",
    "robust",
    "Forecast",
    "Comparison",
    "Backtest",
)
__all__ = [
    "Backtest",
    "Comparison",
    "Forecast",
    "__version__",
    "backtest",
    "bargain",
    "compare",
    "discover",
    "forecast",
    "load",
    "resume",
    "robust",
    "sensitivity",
]

if TYPE_CHECKING:
    from tashkent.api import (
        Backtest,
        Comparison,
        Forecast,
        backtest,
        bargain,
        compare,
        discover,
        forecast,
        load,
        resume,
        robust,
        sensitivity,
    )


def __getattr__(name: str) -> Any:
    if name in _API:
        from tashkent import api

        return getattr(api, name)
    raise AttributeError(f"module 'tashkent' has no attribute {name!r}")
