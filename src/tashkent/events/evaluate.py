"""Score the coder against labelled sentences.

Two formats:

* the dev TSV (`sentence<TAB>penta_class`, header line): penta class only;
* our JSONL, one sentence per line: `{"text": …, "date": "YYYY-MM-DD"?, "events": [{"source": "RUS",
  "target": "IND", "cameo": "039"}, …]}` (`events: []` means the sentence has no event).

Sentence-level scores compare the coder's main event (`primary_event`) with the first gold event:
penta-class accuracy, per-class precision/recall/F1 and a confusion matrix; root accuracy; and
source, target and (source, CAMEO root, target) triple precision/recall/F1 over the event sets.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tashkent.errors import UserError
from tashkent.events.coder import code_sentence, primary_event
from tashkent.events.dictionaries import Dictionaries
from tashkent.events.taxonomy import PENTA_NAMES, normalise_code, penta_of, root_of


@dataclass(frozen=True)
class GoldEvent:
    source: str | None
    target: str | None
    cameo: str | None


@dataclass(frozen=True)
class Labelled:
    text: str
    line: int
    penta: int | None
    events: tuple[GoldEvent, ...] = ()
    when: date | None = None


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class Report:
    n: int = 0
    penta_correct: int = 0
    confusion: list[list[int]] = field(default_factory=lambda: [[0] * 6 for _ in range(5)])
    root_n: int = 0
    root_correct: int = 0
    source: PRF = field(default_factory=PRF)
    target: PRF = field(default_factory=PRF)
    triple: PRF = field(default_factory=PRF)
    has_actors: bool = False

    @property
    def penta_accuracy(self) -> float:
        return self.penta_correct / self.n if self.n else 0.0

    def per_class(self) -> list[PRF]:
        out = []
        for k in range(5):
            tp = self.confusion[k][k]
            fn = sum(self.confusion[k]) - tp
            fp = sum(self.confusion[g][k] for g in range(5)) - tp
            out.append(PRF(tp, fp, fn))
        return out

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "sentences": self.n,
            "penta_accuracy": round(self.penta_accuracy, 3),
            "penta_classes": {PENTA_NAMES[k]: p.as_dict() for k, p in enumerate(self.per_class())},
            "confusion": {
                "rows": "gold class 0-4",
                "columns": "predicted class 0-4, then none",
                "matrix": self.confusion,
            },
        }
        if self.has_actors:
            out["root_accuracy"] = round(self.root_correct / self.root_n, 3) if self.root_n else 0
            out["source"] = self.source.as_dict()
            out["target"] = self.target.as_dict()
            out["triple"] = self.triple.as_dict()
        return out


def read_labelled(path: Path) -> list[Labelled]:
    """Read the dev TSV or our JSONL (chosen by extension: .jsonl/.json → JSONL, else TSV)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: file not found; give a labelled .tsv or .jsonl file")
    if path.suffix in (".jsonl", ".json"):
        return list(_read_jsonl(path))
    return list(_read_tsv(path))


def _read_tsv(path: Path) -> Iterable[Labelled]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if not header or len(header) < 2:
            raise UserError(f"{path}:1: expected a header 'sentence<TAB>penta_class'")
        for lineno, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) < 2 or row[-1].strip() not in {"0", "1", "2", "3", "4"}:
                raise UserError(f"{path}:{lineno}: expected 'sentence<TAB>class' with class 0-4; fix the row")
            yield Labelled(text=row[0], line=lineno, penta=int(row[-1]))


def _read_jsonl(path: Path) -> Iterable[Labelled]:
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                events = []
                for ev in obj.get("events", []):
                    code = normalise_code(str(ev["cameo"])) if ev.get("cameo") is not None else None
                    if ev.get("cameo") is not None and code is None:
                        raise ValueError(f"cameo {ev['cameo']!r} is not a CAMEO code")
                    events.append(GoldEvent(ev.get("source"), ev.get("target"), code))
                d = obj.get("date")
                penta = obj.get("penta")
                if penta is None and events and events[0].cameo:
                    penta = penta_of(root_of(events[0].cameo))
                yield Labelled(
                    text=obj["text"],
                    line=lineno,
                    penta=int(penta) if penta is not None else None,
                    events=tuple(events),
                    when=date.fromisoformat(d) if d else None,
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise UserError(
                    f"{path}:{lineno}: bad labelled sentence ({exc}); expected "
                    '{"text": ..., "events": [{"source", "target", "cameo"}]}'
                ) from None


def evaluate(items: Iterable[Labelled], dicts: Dictionaries | None = None) -> Report:
    """Code every sentence and score it (pure: no files)."""
    rep = Report()
    for it in items:
        events = code_sentence(it.text, doc=str(it.line), index=1, when=it.when, dicts=dicts)
        main = primary_event(events)
        if it.penta is not None:
            rep.n += 1
            pred = main.penta if main else 5
            rep.confusion[it.penta][pred] += 1
            rep.penta_correct += int(pred == it.penta)
        gold = [g for g in it.events if g.cameo]
        if gold or it.events or any(g.source for g in it.events):
            rep.has_actors = True
        if not it.events and it.penta is not None:
            continue
        rep.has_actors = True
        if gold:
            rep.root_n += 1
            rep.root_correct += int(main is not None and main.root == root_of(gold[0].cameo or ""))
        _score_sets(
            rep.source,
            {g.source for g in it.events if g.source},
            {e.source.code for e in events if e.source and e.cameo != "010"},
        )
        _score_sets(
            rep.target,
            {g.target for g in it.events if g.target},
            {e.target.code for e in events if e.target and e.cameo != "010"},
        )
        _score_sets(
            rep.triple,
            {(g.source, root_of(g.cameo or ""), g.target) for g in gold},
            {
                (e.source.code if e.source else None, e.root, e.target.code if e.target else None)
                for e in events
                if e.cameo != "010"
            },
        )
    return rep


def _score_sets(prf: PRF, gold: set[Any], pred: set[Any]) -> None:
    prf.tp += len(gold & pred)
    prf.fp += len(pred - gold)
    prf.fn += len(gold - pred)
