"""Load scenario YAML files into validated `Scenario` objects, with one-line errors.

Errors name the file, the line, the field path and the fix, e.g.
`kashmir.yaml:41: actors[3].bias.IND = 1.7 is outside [-1, 1]`. Also here: `--set PATH=VALUE`
overrides, `--inject DATE:KIND:key=value` injects, overlays (such as calibrated posteriors) and
the scenario hash recorded with every run.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tashkent.errors import UserError
from tashkent.safe_yaml import compose_and_load, read_text
from tashkent.scenario.schema import Scenario

BUILTIN_PACKAGE = "tashkent.scenario.builtin"


def builtin_names() -> list[str]:
    files = resources.files(BUILTIN_PACKAGE)
    return sorted(
        p.name.removesuffix(".yaml")
        for p in files.iterdir()
        if p.name.endswith(".yaml") and p.name.count(".") == 1
    )


def builtin_text(name: str) -> str:
    path = resources.files(BUILTIN_PACKAGE).joinpath(f"{name}.yaml")
    if not path.is_file():
        raise UserError(
            f"no built-in scenario named {name!r}; built-ins: {', '.join(builtin_names())} "
            "(or give a path to a .yaml file)"
        )
    return path.read_text(encoding="utf-8")


def read_source(name_or_path: str | Path) -> tuple[str, str]:
    """Return (label for messages, YAML text) for a built-in name or a file path."""
    text_name = str(name_or_path)
    path = Path(text_name)
    if text_name.endswith((".yaml", ".yml")) or path.exists():
        if not path.is_file():
            raise UserError(f"{text_name}: no such scenario file; check the path")
        return path.name, read_text(path, "scenario file")
    return f"{text_name}.yaml", builtin_text(text_name)


# ---------------------------------------------------------------- YAML with line numbers


class _Lines:
    """Maps a field path (tuple of keys and indices) to the 1-based line where it appears."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple[Any, ...]) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                self._walk(value_node, (*path, key))
                self.lines[(*path, key)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*path, i))

    def line(self, path: tuple[Any, ...]) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def parse_yaml(label: str, text: str) -> tuple[Any, _Lines]:
    data, node = compose_and_load(label, text)
    return data, _Lines(node)


# ---------------------------------------------------------------- validation errors


def _path_str(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _parse_path(dotted: str) -> tuple[Any, ...]:
    """'actors[3].bias.IND' → ('actors', 3, 'bias', 'IND')."""
    out: list[Any] = []
    for part in dotted.split("."):
        name, _, rest = part.partition("[")
        if name:
            out.append(name)
        while rest:
            idx, _, rest = rest.partition("]")
            out.append(int(idx))
            rest = rest.lstrip("[")
    return tuple(out)


def _fmt_value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        s = json.dumps(value, default=str)
        return s if len(s) <= 40 else s[:37] + "..."
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _known_keys_at(loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed at the parent of `loc` (for 'did you mean' hints)."""
    from pydantic import BaseModel

    model: Any = Scenario
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        ann = field.annotation
        model = _first_model(ann)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _first_model(ann: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def _resolve_loc(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Pydantic locations include union/validator tags; keep only real keys present in data."""
    out: list[Any] = []
    cur = data
    for part in loc:
        if (isinstance(cur, dict) and part in cur) or (
            isinstance(cur, list) and isinstance(part, int) and part < len(cur)
        ):
            out.append(part)
            cur = cur[part]
        elif (
            isinstance(cur, dict) and isinstance(part, str) and not part.startswith(("function-", "tagged-"))
        ):
            out.append(part)  # a missing key
            cur = None
        else:
            continue
    return tuple(out)


def format_validation_error(label: str, exc: ValidationError, data: Any, lines: _Lines) -> str:
    errors = exc.errors(include_url=False)
    err = errors[0]
    msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if msg.startswith("@") and "|" in msg:
        # A cross-reference error raised with its own field path.
        dotted, text = msg[1:].split("|", 1)
        loc = _parse_path(dotted)
        line = lines.line(loc)
        where = f"{label}:{line}" if line else label
        return f"{where}: {dotted} {text}"
    loc = _resolve_loc(data, tuple(err["loc"]))
    path = _path_str(loc)
    line = lines.line(loc)
    where = f"{label}:{line}" if line else label
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        key = loc[-1] if loc else "?"
        known = _known_keys_at(loc)
        near = difflib.get_close_matches(str(key), known, n=1)
        hint = (
            f"did you mean {near[0]!r}?"
            if near
            else f"allowed keys: {', '.join(known)}"
            if known
            else "remove it"
        )
        text = f"{path}: unknown key {key!r}; {hint}"
    elif kind == "missing":
        text = f"{path}: required field is missing; add it"
    elif kind == "literal_error":
        text = f"{path} = {_fmt_value(value)}: {msg}"
    elif kind.startswith("value_error") or kind in ("assertion_error",):
        if loc and not isinstance(value, (dict, list)):
            text = f"{path} = {_fmt_value(value)} {msg}"
        else:
            text = f"{path}: {msg}"
    else:
        text = f"{path} = {_fmt_value(value)}: {msg}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {text}{more}"


# ---------------------------------------------------------------- overrides and injects


def _coerce(value: str, label: str = "--set") -> Any:
    try:
        return yaml.safe_load(value) if len(value) < 10_000 else value
    except yaml.YAMLError:
        return value
    except ValueError:  # e.g. 2025-13-45 looks like a date but is none
        raise UserError(f"{label}: {value!r} is not a valid value (a date must be YYYY-MM-DD)") from None


def apply_set(data: dict[str, Any], assignment: str) -> None:
    """Apply one `PATH=VALUE` override in place. Lists of records are addressed by `id`
    (e.g. `actors.RUS.bias.IND=0.6`), by index, and parameters by name with `.value` implied
    (`parameters.attack_rate=0.5`)."""
    if "=" not in assignment:
        raise UserError(f"--set {assignment!r}: expected PATH=VALUE, e.g. parameters.attack_rate=0.5")
    path, raw = assignment.split("=", 1)
    value = _coerce(raw, f"--set {assignment}")
    set_path(data, path.strip(), value, label=f"--set {assignment}")


def set_path(data: dict[str, Any], path: str, value: Any, label: str) -> None:
    *parents, last = path.split(".")
    if len(parents) == 2 and parents[0] == "parameters" and last == "value":
        # `parameters.X.value=V` is `parameters.X=V`: a value set explicitly is used, not sampled over
        parents, last = parents[:1], parents[1]
    cur: Any = data
    for part in parents:
        cur = _step(cur, part, label, path)
    if isinstance(cur, list):
        idx = _index_of(cur, last, label, path)
        cur[idx] = value
        return
    if not isinstance(cur, dict):
        raise UserError(f"{label}: {path} does not name a field")
    if parents == ["parameters"]:
        last = LEGACY_PARAMETERS.get(last, last)
        if last not in cur:
            near = difflib.get_close_matches(last, list(cur), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise UserError(f"{label}: unknown parameter {last!r}{hint}")
        if not isinstance(cur[last], dict):
            raise UserError(f"{label}: parameters.{last} is not a parameter entry in the scenario")
        entry = dict(cur[last])
        entry["value"] = value
        entry["prior"] = {"dist": "fixed"}
        cur[last] = entry
        return
    cur[last] = value


def _index_of(seq: list[Any], key: str, label: str, path: str) -> int:
    if key.lstrip("-").isdigit():
        idx = int(key)
        if not -len(seq) <= idx < len(seq):
            raise UserError(f"{label}: index {idx} out of range in {path}")
        return idx
    for i, item in enumerate(seq):
        if isinstance(item, dict) and str(item.get("id")) == key:
            return i
    ids = [str(item.get("id")) for item in seq if isinstance(item, dict) and "id" in item]
    raise UserError(f"{label}: no entry with id {key!r} in {path} (known: {', '.join(ids)})")


def _step(cur: Any, part: str, label: str, path: str) -> Any:
    if isinstance(cur, list):
        return cur[_index_of(cur, part, label, path)]
    if isinstance(cur, dict):
        if part not in cur:
            cur[part] = {}
        return cur[part]
    raise UserError(f"{label}: {path} does not name a field")


def parse_inject(spec: str, default_target: str) -> dict[str, Any]:
    """`YYYY-MM-DD:KIND[:key=value,...]` → a schedule entry, e.g. `2026-02-15:attack:fatalities=40`."""
    parts = spec.split(":")
    if len(parts) < 2:
        raise UserError(
            f"--inject {spec!r}: expected DATE:KIND[:key=value,...], e.g. 2026-02-15:attack:fatalities=40"
        )
    try:
        date = dt.date.fromisoformat(parts[0])
    except ValueError:
        raise UserError(f"--inject {spec!r}: {parts[0]!r} is not a date YYYY-MM-DD") from None
    entry: dict[str, Any] = {"date": date.isoformat(), "kind": parts[1], "note": f"inject {spec}"}
    for kv in ":".join(parts[2:]).split(",") if len(parts) > 2 else []:
        if not kv:
            continue
        if "=" not in kv:
            raise UserError(f"--inject {spec!r}: {kv!r} should be key=value")
        k, v = kv.split("=", 1)
        entry[k.strip()] = _coerce(v, f"--inject {spec!r}")
    if entry["kind"] == "attack":
        entry.setdefault("target", default_target)
    return entry


# ---------------------------------------------------------------- loading


#: Parameters renamed when the engine became dyad-neutral: old name → new name. Scenario files,
#: overlays and `--set` paths with an old name are read under the new one.
LEGACY_PARAMETERS = {
    "pak_cost_ratio": "second_party_cost_ratio",
    "simla_gate_open": "consent_gate_open",
}


def rename_legacy(params: Any) -> None:
    """Rename legacy parameter keys in place (a new name given too wins)."""
    if not isinstance(params, dict):
        return
    for old, new in LEGACY_PARAMETERS.items():
        if old in params:
            entry = params.pop(old)
            params.setdefault(new, entry)


def validate_data(label: str, data: Any, lines: _Lines) -> Scenario:
    if not isinstance(data, dict):
        raise UserError(f"{label}:1: a scenario must be a YAML mapping of keys (name, actors, ...)")
    for key, most in (("actors", 500), ("schedule", 10_000), ("parameters", 5_000)):
        if isinstance(data.get(key), list | dict) and len(data[key]) > most:  # before validating each
            raise UserError(
                f"{label}:{lines.line((key,)) or 1}: {key} has {len(data[key]):,} entries; at most {most:,}"
            )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_validation_error(label, exc, data, lines)) from None


def _same_entry(entry: dict[str, Any], base: dict[str, Any]) -> bool:
    """Whether a scenario's parameter entry states exactly `base`'s value and prior."""
    from tashkent.scenario.schema import Prior

    try:
        mine = (float(entry["value"]), Prior.model_validate(entry.get("prior", {"dist": "fixed"})))
        theirs = (float(base["value"]), Prior.model_validate(base.get("prior", {"dist": "fixed"})))
    except (TypeError, ValueError, KeyError, ValidationError):
        return False
    return mine == theirs


def merge_overlay(data: dict[str, Any], overlay: dict[str, Any]) -> dict[str, list[str]]:
    """Overlay parameters (e.g. calibrated posteriors) onto a scenario's parameter table.

    An overlay fitted to one dyad (`calibration.parties`) applies only to scenarios of that dyad.
    Explicit beats default: an overlay entry that records what it was fitted from
    (`calibrated_from: {value, prior}`) replaces a scenario's entry only when that entry still states
    exactly that value and prior; a value or prior the user changed (in the file or by `--set`) is
    kept. Returns the names replaced ("applied") and kept ("kept")."""
    applied: list[str] = []
    kept: list[str] = []
    table = data.get("parameters")
    fitted_to = (overlay.get("calibration") or {}).get("parties")
    if not isinstance(table, dict) or (fitted_to and set(fitted_to) != set(data.get("parties") or [])):
        return {"applied": applied, "kept": kept}  # an overlay fitted to another dyad
    params = dict(overlay.get("parameters") or {})
    rename_legacy(params)
    for name, entry in params.items():
        mine = table.get(name)
        if not isinstance(mine, dict) or not isinstance(entry, dict):
            continue
        changes = {k: v for k, v in entry.items() if k != "calibrated_from"}
        if not ({"value", "prior"} & set(changes)):
            table[name] = {**mine, **changes}  # bookkeeping only (e.g. identified: false)
            continue
        base = entry.get("calibrated_from")
        if base is not None and not _same_entry(mine, base):
            kept.append(name)
            continue
        table[name] = {**mine, **changes}
        applied.append(name)
    return {"applied": applied, "kept": kept}


def load_scenario_noted(
    name_or_path: str | Path,
    sets: list[str] | None = None,
    injects: list[str] | None = None,
    overlays: list[dict[str, Any]] | None = None,
) -> tuple[Scenario, dict[str, list[str]]]:
    """Load, override, overlay and validate a scenario; also say which overlay values were applied
    and which of the scenario's own values were kept. Raises `UserError` with one line on error."""
    label, text = read_source(name_or_path)
    data, lines = parse_yaml(label, text)
    notes: dict[str, list[str]] = {"applied": [], "kept": []}
    if isinstance(data, dict):
        rename_legacy(data.get("parameters"))
        for s in sets or []:
            apply_set(data, s)
        for overlay in overlays or []:
            got = merge_overlay(data, overlay)
            notes["applied"] += got["applied"]
            notes["kept"] += got["kept"]
        if injects:
            spoilers = data.get("spoilers")
            target = (spoilers.get("target") if isinstance(spoilers, dict) else None) or (
                data.get("parties") or ["?"]
            )[0]
            if not isinstance(data.setdefault("schedule", []), list):
                raise UserError(f"{label}: schedule must be a list of dated events")
            for spec in injects:
                data["schedule"].append(parse_inject(spec, target))
    try:
        return validate_data(label, data, lines), notes
    except UserError as exc:
        for s in sets or []:  # a value given with --set: name the flag, not the file's line
            path = s.split("=", 1)[0].strip()
            if path and f" {path}" in f" {exc.message}":
                raise UserError(f"--set {s}: {exc.message.split(': ', 1)[-1]}") from None
        raise


def load_scenario(
    name_or_path: str | Path,
    sets: list[str] | None = None,
    injects: list[str] | None = None,
    overlays: list[dict[str, Any]] | None = None,
) -> Scenario:
    """Load, override, overlay and validate a scenario; raise `UserError` with one line on error."""
    return load_scenario_noted(name_or_path, sets, injects, overlays)[0]


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json", exclude_none=True)


def scenario_hash(scenario: Scenario) -> str:
    """Identity of what a run simulates. Declared levers are choices not taken, so they are left out:
    declaring one does not change any run."""
    data = scenario_to_data(scenario)
    data.pop("levers", None)
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def with_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """A copy of `scenario` with dotted-path overrides applied (the `--set` mechanism in Python)."""
    data = copy.deepcopy(scenario_to_data(scenario))
    for path, value in overrides.items():
        set_path(data, path, value, label=f"override {path}")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise UserError(format_validation_error(scenario.name, exc, data, _Lines(None))) from None


# `Scenario.with_overrides(...)`, attached here so that the schema does not import its loader
# (the package's __init__ imports this module, so the method is there whenever Scenario is).
Scenario.with_overrides = with_overrides  # type: ignore[attr-defined]
