"""YAML loading that remembers line numbers, so every problem can say `file:line`.

PyYAML's plain loaders drop positions; here the node tree is composed and
converted by hand into `LineDict` / `LineList`, which carry the line of the
mapping or sequence and of each key or item. Duplicate keys, which PyYAML
silently accepts, are reported as problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from detectors.errors import Problem

try:  # the C loader is much faster on big word lists and keeps marks too
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


class LineDict(dict):
    """A mapping with the line it starts on and the line of each key."""

    line: int = 0

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence with the line it starts on and the line of each item."""

    line: int = 0

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


def line_of(value: Any, default: int = 0) -> int:
    return getattr(value, "line", default) or default


def load_yaml_text(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; returns (data, problems). Data is None when the text does not parse."""
    problems: list[Problem] = []
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        problems.append(Problem(file, line, f"invalid YAML: {what}"))
        return None, problems
    except yaml.YAMLError as exc:
        problems.append(Problem(file, 1, f"invalid YAML: {exc}"))
        return None, problems
    try:
        if node is None:
            return None, problems
        return _convert(node, loader, file, problems), problems
    finally:
        loader.dispose()


def load_yaml_file(path: Path) -> tuple[Any, list[Problem]]:
    """Read and parse one YAML file; an unreadable file becomes a problem, never an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), 1, f"cannot read file: {exc.__class__.__name__}: {exc}")]
    return load_yaml_text(text, str(path))


def _convert(node: yaml.Node, loader: yaml.SafeLoader, file: str, problems: list[Problem]) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves `<<:` merge keys
        mapping = LineDict(line)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            try:
                hash(key)
            except TypeError:
                problems.append(Problem(file, key_line, "a mapping key must be a plain value"))
                continue
            if key in mapping:
                problems.append(
                    Problem(file, key_line, f"duplicate key {key!r} (first on line {mapping.key_lines[key]})")
                )
                continue
            mapping[key] = _convert(value_node, loader, file, problems)
            mapping.key_lines[key] = key_line
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = LineList(line)
        for item in node.value:
            sequence.append(_convert(item, loader, file, problems))
            sequence.item_lines.append(item.start_mark.line + 1)
        return sequence
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problems.append(Problem(file, line, f"invalid value: {exc}"))
        return None
