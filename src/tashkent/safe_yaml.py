"""Bounded YAML reading for user files: size checked before reading, duplicate keys refused, alias
bombs and absurd nesting refused before anything is built, bad dates reported with their line.

Every problem raises `UserError` with one line naming the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tashkent.errors import UserError

MAX_FILE_BYTES = 4 * 1024 * 1024  # scenario and dictionary files are a few hundred kB at most
MAX_NODES = 500_000  # values after expanding aliases
MAX_DEPTH = 64  # nesting levels


def read_text(path: Path, what: str = "file", limit: int = MAX_FILE_BYTES) -> str:
    """A user's text file, refused by size before it is read and by encoding after."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise UserError(
                f"{path}: {size:,} bytes is larger than the {limit // (1024 * 1024)} MB allowed for a {what}"
            )
        data = path.read_bytes()
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a {what}") from None
    except FileNotFoundError:
        raise UserError(f"{path}: no such {what}; check the path") from None
    except PermissionError:
        raise UserError(f"{path}: not readable (permission denied)") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise UserError(f"{path}: larger than the {limit // (1024 * 1024)} MB allowed for a {what}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a UTF-8 text file; save it as UTF-8") from None


class _Problem(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed: ~10x faster


class _Loader(_Base):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _Problem("a mapping key must be a plain value", key_node.start_mark.line + 1) from None
            if key in seen:
                raise _Problem(
                    f"key {key!r} appears twice in one mapping (first on line {seen[key]}); keep one",
                    key_node.start_mark.line + 1,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise _Problem(
                f"{node.value!r} is not a valid date ({exc}); write YYYY-MM-DD", node.start_mark.line + 1
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _check_size(root: yaml.Node) -> None:
    """Count values after alias expansion and the nesting depth, without expanding anything."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in size:
            continue
        kids: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                kids += [k, v]
        elif isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        if not children_done:
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in size)
            continue
        size[key] = 1 + sum(size.get(id(k), 0) for k in kids)
        depth[key] = 1 + max((depth.get(id(k), 0) for k in kids), default=0)
        if size[key] > MAX_NODES:
            raise _Problem(
                f"expands to more than {MAX_NODES:,} values (repeated aliases?); simplify the file",
                node.start_mark.line + 1,
            )
        if depth[key] > MAX_DEPTH:
            raise _Problem(f"nests more than {MAX_DEPTH} levels deep", node.start_mark.line + 1)


def compose_and_load(label: str, text: str) -> tuple[Any, yaml.Node | None]:
    """(data, root node) of one YAML document; `UserError` naming `label:line` on any problem."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_size(node)
        return loader.construct_document(node), node
    except _Problem as exc:
        raise UserError(f"{label}:{exc.line}: {exc}") from None
    except RecursionError:
        raise UserError(f"{label}: nests more than {MAX_DEPTH} levels deep; simplify the file") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{label}:{mark.line + 1}" if mark is not None else label
        raise UserError(
            f"{where}: YAML syntax error (not valid YAML): {exc.problem}; fix the indentation or quoting"
        ) from None
    except yaml.YAMLError as exc:
        raise UserError(f"{label}: YAML error: {' '.join(str(exc).split())}") from None
    finally:
        loader.dispose()


def load_text(label: str, text: str) -> Any:
    """The data of one YAML document (see `compose_and_load`)."""
    return compose_and_load(label, text)[0]


def load_value(label: str, text: str) -> Any:
    """A single YAML scalar or flow value given on the command line (e.g. `--set X=0.5`)."""
    if len(text) > 10_000:
        raise UserError(f"{label}: value longer than 10,000 characters")
    return load_text(label, text)
