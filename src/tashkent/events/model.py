"""The event record shared by the coder, the importers, the store and the nowcast."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Actor:
    """An actor: CAMEO code (`IND`, `RUS`, `IGOUNO`, `SASREB`), sector (`GOV`, `MIL`, `REB`, …)."""

    code: str
    sector: str = ""
    name: str = ""

    def label(self) -> str:
        if not self.sector or self.code.endswith(self.sector):  # SASREB, not SASREB-REB
            return self.code
        return f"{self.code}-{self.sector}"


@dataclass(frozen=True)
class Event:
    """One coded event: who did what to whom, when, with its CAMEO/PLOVER classes and evidence."""

    doc: str
    sentence: int
    date: date | None
    source: Actor | None
    target: Actor | None
    cameo: str
    root: str
    goldstein: float
    quad: int
    penta: int
    plover: str
    plover_mode: str = ""
    text: str = ""
    span: str = ""
    confidence: float = 1.0
    modality: str = ""  # "", "negated", "hypothetical", "reported"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_json(self) -> dict[str, Any]:
        """The JSON Lines form printed by `tashkent events code --json`."""
        out = asdict(self)
        out["date"] = self.date.isoformat() if self.date else None
        out["source"] = _actor_json(self.source)
        out["target"] = _actor_json(self.target)
        if not self.extra:
            out.pop("extra")
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Event:
        from tashkent.events.taxonomy import describe

        cameo = str(obj["cameo"])
        info = describe(cameo)
        d = obj.get("date")
        return cls(
            doc=str(obj.get("doc", "")),
            sentence=int(obj.get("sentence", 0) or 0),
            date=date.fromisoformat(d) if d else None,
            source=_actor_from(obj.get("source")),
            target=_actor_from(obj.get("target")),
            cameo=cameo,
            root=info.root,
            goldstein=float(obj.get("goldstein", info.goldstein)),
            quad=info.quad,
            penta=info.penta,
            plover=obj.get("plover", info.plover) or "",
            plover_mode=obj.get("plover_mode", info.plover_mode) or "",
            text=str(obj.get("text", "")),
            span=str(obj.get("span", "")),
            confidence=float(obj.get("confidence", 1.0)),
            modality=str(obj.get("modality", "")),
        )


def _actor_json(a: Actor | None) -> dict[str, str] | None:
    if a is None:
        return None
    return {"code": a.code, "sector": a.sector, "name": a.name}


def _actor_from(obj: Any) -> Actor | None:
    if not obj:
        return None
    if isinstance(obj, str):
        return Actor(code=obj[:3] if len(obj) > 3 and not obj.startswith("IGO") else obj)
    return Actor(
        code=str(obj.get("code", "")),
        sector=str(obj.get("sector", "") or ""),
        name=str(obj.get("name", "") or ""),
    )
