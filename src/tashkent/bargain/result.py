"""The common result of every bargaining model, and `--option NAME=VALUE` parsing."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from tashkent.errors import UserError

T = TypeVar("T")


@dataclass
class BargainResult:
    """Positions by turn and the forecast.

    `history` is [turns+1, N, D] on the input's 0–100 scale (row 0 is the input); `probabilities`
    is [turns+1, N] (SMP: each actor's position's probability of winning; None for other models).
    """

    model: str
    actors: tuple[str, ...]
    dimensions: tuple[str, ...]
    history: np.ndarray
    probabilities: np.ndarray | None
    forecast: dict[str, Any]
    baselines: dict[str, list[float]]
    oscillation: dict[str, Any]
    options: dict[str, Any]
    stop_reason: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def turns(self) -> int:
        return int(self.history.shape[0] - 1)

    def to_json(self) -> dict[str, Any]:
        """The `--json` document (keys listed in issue 3)."""
        return {
            "model": self.model,
            "actors": list(self.actors),
            "dimensions": list(self.dimensions),
            "turns": self.turns,
            "history": np.round(self.history, 6).tolist(),
            "probabilities": None if self.probabilities is None else np.round(self.probabilities, 6).tolist(),
            "forecast": self.forecast,
            "baselines": self.baselines,
            "oscillation": self.oscillation,
            "options": self.options,
            "stop_reason": self.stop_reason,
            **self.extra,
        }


def parse_options(cls: type[T], pairs: list[str] | dict[str, str] | None, model: str) -> T:
    """Build an options dataclass from ``NAME=VALUE`` strings; unknown names and values are
    `UserError`s that list what is allowed."""
    items: list[tuple[str, str]] = []
    if isinstance(pairs, dict):
        items = [(k, str(v)) for k, v in pairs.items()]
    else:
        for p in pairs or []:
            if "=" not in p:
                raise UserError(f"--option {p!r}: write NAME=VALUE, e.g. --option q=0.5")
            k, v = p.split("=", 1)
            items.append((k.strip().replace("-", "_"), v.strip()))
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for k, v in items:
        if k not in fields:
            raise UserError(
                f"--option {k}: not an option of the {model} model; choose from {', '.join(sorted(fields))}"
            )
        hint = hints[k]
        choices = typing.get_args(hint) if typing.get_origin(hint) is typing.Literal else None
        if choices:
            if v not in choices:
                raise UserError(f"--option {k}={v}: choose one of {', '.join(map(str, choices))}")
            kwargs[k] = v
        elif hint is float:
            try:
                kwargs[k] = float(v)
            except ValueError:
                raise UserError(f"--option {k}={v}: not a number") from None
        elif hint is int:
            try:
                kwargs[k] = int(v)
            except ValueError:
                raise UserError(f"--option {k}={v}: not an integer") from None
        elif hint is bool:
            if v.lower() not in {"true", "false", "1", "0", "yes", "no"}:
                raise UserError(f"--option {k}={v}: write true or false")
            kwargs[k] = v.lower() in {"true", "1", "yes"}
        else:  # pragma: no cover - all option fields are typed above
            kwargs[k] = v
    obj = cls(**kwargs)
    check = getattr(obj, "check", None)
    if callable(check):
        check()
    return obj
