"""Load the coder's dictionaries (actors and verb patterns) from data files.

The package ships `data/actors.yaml` and `data/verbs.yaml`; users add their own files of the same
format, which extend (and, for the same pattern, override) the shipped entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tashkent.errors import UserError
from tashkent.events.taxonomy import is_cameo


@dataclass(frozen=True)
class Role:
    code: str
    sector: str
    title: str
    start: date | None
    end: date | None


@dataclass(frozen=True)
class ActorEntry:
    """One surface form of an actor: a country name, a person, an organisation or a group."""

    kind: str  # country | adjective | capital | person | org | group
    code: str
    sector: str
    name: str
    roles: tuple[Role, ...] = ()

    def resolve(self, when: date | None) -> tuple[str, str]:
        """(code, sector) at a date: office holders by their dates in office."""
        if not self.roles:
            return self.code, self.sector
        if when is None:
            last = self.roles[-1]
            return last.code, last.sector
        for r in self.roles:
            if (r.start is None or r.start <= when) and (r.end is None or when <= r.end):
                return r.code, r.sector
        before = [r for r in self.roles if r.start is None or r.start <= when]
        ref = before[-1] if before else self.roles[0]
        return ref.code, "ELI"  # a former (or future) office holder: elite, not government


@dataclass(frozen=True, eq=False)
class Dictionaries:
    surface: dict[str, ActorEntry]  # exact surface form (case-sensitive) → entry
    sectors: dict[str, str]  # lower-case noun phrase → sector
    verbs: tuple[tuple[str, str, bool], ...]  # (cameo, pattern, passive)


def _read_yaml(path: Path | None, packaged: str) -> Any:
    if path is None:
        text = resources.files("tashkent.events").joinpath(f"data/{packaged}").read_text("utf-8")
        return yaml.safe_load(text)
    from tashkent.safe_yaml import load_text, read_text

    return load_text(str(path), read_text(Path(path), "dictionary file"))


def _date(v: Any) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def _add_actors(
    raw: dict[str, Any], surface: dict[str, ActorEntry], sectors: dict[str, str], where: str
) -> None:
    for c in raw.get("countries", []) or []:
        code = c["code"]
        for n in c.get("names", []) or []:
            surface[n] = ActorEntry("country", code, "", n)
        for n in c.get("adjectives", []) or []:
            surface[n] = ActorEntry("adjective", code, "", n)
        for n in c.get("capitals", []) or []:
            surface[n] = ActorEntry("capital", code, "GOV", n)
    for p in raw.get("people", []) or []:
        try:
            roles = tuple(
                Role(
                    r["code"],
                    r.get("sector", "GOV") or "",
                    r.get("title", ""),
                    _date(r.get("from")),
                    _date(r.get("to")),
                )
                for r in p["roles"]
            )
        except (KeyError, ValueError) as exc:
            raise UserError(
                f"{where}: person {p.get('name')!r} has a bad role ({exc}); "
                "each role needs code, sector and from/to dates YYYY-MM-DD"
            ) from None
        for pat in p.get("patterns", [p["name"]]):
            surface[pat] = ActorEntry("person", roles[-1].code, roles[-1].sector, p["name"], roles)
    for o in raw.get("organisations", []) or []:
        for n in o["names"]:
            surface[n] = ActorEntry("org", o["code"], o.get("sector", "") or "", n)
    for g in raw.get("groups", []) or []:
        for n in g["names"]:
            surface[n] = ActorEntry("group", g["code"], g.get("sector", "REB") or "REB", g["name"])
    for sector, nouns in (raw.get("sectors", {}) or {}).items():
        for n in nouns:
            sectors[n.lower()] = sector


@cache
def _load(actor_files: tuple[str, ...], verb_files: tuple[str, ...]) -> Dictionaries:
    surface: dict[str, ActorEntry] = {}
    sectors: dict[str, str] = {}
    _add_actors(_read_yaml(None, "actors.yaml"), surface, sectors, "actors.yaml")
    for f in actor_files:
        raw = _read_yaml(Path(f), "")
        if not isinstance(raw, dict):
            raise UserError(f"{f}: expected a mapping with countries/people/organisations/groups")
        _add_actors(raw, surface, sectors, f)
    verbs: list[tuple[str, str, bool]] = []
    for f, raw in [("verbs.yaml", _read_yaml(None, "verbs.yaml"))] + [
        (vf, _read_yaml(Path(vf), "")) for vf in verb_files
    ]:
        if not isinstance(raw, dict):
            raise UserError(f"{f}: expected a mapping of CAMEO code to a list of patterns")
        for code, pats in raw.items():
            code = str(code)
            if not is_cameo(code):
                raise UserError(
                    f"{f}: key {code!r} is not a CAMEO code; use codes such as '039'"
                    " (quote them so leading zeros survive)"
                )
            for pat in pats:
                passive = False
                if isinstance(pat, dict):
                    passive = bool(pat.get("passive", False))
                    pat = pat["pattern"]
                verbs.append((code, str(pat), passive))
    return Dictionaries(surface=surface, sectors=sectors, verbs=tuple(verbs))


def load_dictionaries(
    actor_files: list[Path] | None = None, verb_files: list[Path] | None = None
) -> Dictionaries:
    """The shipped dictionaries, extended by the user's files (same YAML format)."""
    return _load(tuple(str(p) for p in actor_files or []), tuple(str(p) for p in verb_files or []))


# ---- pattern compiler -------------------------------------------------------------------------

_GAP = {"*": r"(?:\s+\S+){0,6}?", "~": r"(?:\s+\S+){0,3}?"}


def _split_top(s: str, sep: str) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _word(w: str) -> tuple[str, int]:
    if w.endswith("+"):
        return re.escape(w[:-1]) + r"[\w\-']*", 1
    return re.escape(w) + r"(?![\w\-])", 1


def _token(tok: str) -> tuple[str, int]:
    """Compile one token; returns (regex, literal count)."""
    optional = tok.endswith("?") and tok.startswith("(")
    if optional:
        tok = tok[:-1]
    if tok.startswith("(") and tok.endswith(")"):
        alts = [a.strip() for a in _split_top(tok[1:-1], "|")]
        compiled = [compile_sequence(a) for a in alts if a]
        rx = "(?:" + "|".join(c[0] for c in compiled) + ")"
        lits = 1 if compiled else 0  # a group is one slot, however many words it has
        if optional:
            return rx, 0
        return rx, lits
    return _word(tok)


def _unglue(pattern: str) -> str:
    """ "(the )?(claim+)" → "(the )? (claim+)": adjacent groups are separate words."""
    return re.sub(r"\)(\??)\(", r")\1 (", pattern)


def compile_sequence(pattern: str) -> tuple[str, int]:
    """A dictionary pattern as a regex body (no leading boundary) and its literal count."""
    toks = [t for t in _split_top(_unglue(pattern.strip()), " ") if t]
    parts: list[str] = []
    lits = 0
    for i, t in enumerate(toks):
        if t in _GAP:
            parts.append(_GAP[t])
            continue
        rx, n = _token(t)
        lits += n
        optional = t.endswith("?") and t.startswith("(")
        if i == 0:
            parts.append(rx if not optional else f"(?:{rx}\\s+)?")
        elif optional:
            parts.append(f"(?:\\s+{rx})?")
        else:
            parts.append(r"\s+" + rx)
    return "".join(parts), lits


def first_words(pattern: str) -> set[str]:
    """Lower-case first words (or stems) that must start a match: the prefilter key."""
    toks = [t for t in _split_top(_unglue(pattern.strip()), " ") if t]
    if toks[0].endswith("?") and len(toks) > 1:
        return first_words(toks[0][1:-2]) | first_words(" ".join(toks[1:]))
    tok = toks[0].rstrip("?")
    if tok.startswith("(") and tok.endswith(")"):
        out: set[str] = set()
        for alt in _split_top(tok[1:-1], "|"):
            out |= first_words(alt)
        return out
    return {tok.rstrip("+")}
