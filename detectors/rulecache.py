"""A disk cache of loaded rule sets, so a short `dlp inspect` does not parse 300 rules every time.

Loading the built-in packs reads about 30 YAML files, checks and compiles about a thousand
regular expressions and builds a few hundred validators; that is most of the start-up time.
A rule set that loaded without errors is stored as a pickle keyed by everything its parse
depends on:

- the content of every rule file found under the paths, in order;
- the source of the `detectors` package (the parser, model and validator factories) and the
  Python version;
- the content of every other file the rules were built from (word lists), stored in the entry
  and compared when it is loaded.

Validator checks are closures and are not pickled: each is rebuilt from its name and arguments
when the entry is loaded, by the same registry, so a validator's library (phonenumbers,
python-stdnum) is always the one installed now; word lists are then read at their first lookup.
A rebuild that fails makes the entry stale and the rules load afresh, reporting any problem with
file and line as before.

Compiled regular expressions are stored as the regex engine's own program, not as their source:
pickle would otherwise parse and compile every one again, which is a third of the load. The
program is what `re.compile` hands to `_sre.compile` on this exact Python version (part of the
key), a pattern is stored that way only when the rebuilt object equals the original, and any
failure falls back to `re.compile`.

Only rule sets built with the built-in validator registry are cached. Entries are loaded only
from a folder and file owned by this user and writable by nobody else (a pickle runs code).
"""

from __future__ import annotations

import _sre
import contextlib
import hashlib
import io
import pickle
import re
import sys
from re import _compiler, _parser  # type: ignore[attr-defined]
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from detectors.cachedir import cache_dir, owned_and_private, write_atomic
from detectors.loader import RuleSet, discover, load_rules
from detectors.model import ValidatorSpec, Where
from detectors.validators import BUILTIN

_FORMAT = b"dlp-rules-1"
_KEEP = 8  # entries kept: one per rule set and version in use (default, full, a team's own rules)
_CODE_ROOT = Path(__file__).resolve().parent


class _Stale(Exception):
    """The entry cannot be used: rebuild from the rule files."""


def load_rules_cached(paths: Sequence[str | Path], directory: Path | None = None) -> RuleSet:
    """`load_rules(paths)`, answered from the cache when the same rule files were loaded before."""
    directory = directory or cache_dir()
    files, problems = discover(paths)
    if directory is None or problems:
        return load_rules(paths)
    try:
        key = _key([file for file, _ in files], [root for _, root in files])
    except OSError:
        return load_rules(paths)
    entry = directory / f"rules-{key}.pickle"
    cached = _read(entry)
    if cached is not None:
        return cached
    ruleset = load_rules(paths)
    if not ruleset.errors:
        _store(entry, ruleset)
    return ruleset


def _key(files: Sequence[Path], roots: Sequence[Path]) -> str:
    digest = hashlib.sha256(_FORMAT)
    digest.update(sys.version.encode())
    digest.update(_code_digest())
    for file, root in zip(files, roots):
        digest.update(f"\0{file}\0{root}\0".encode())
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def _code_digest() -> bytes:
    digest = hashlib.sha256()
    for source in sorted(_CODE_ROOT.rglob("*.py")):
        digest.update(str(source.relative_to(_CODE_ROOT)).encode())
        digest.update(source.read_bytes())
    return digest.digest()


def _input_digests(inputs: Sequence[str]) -> dict[str, str]:
    digests = {}
    for name in dict.fromkeys(inputs):
        try:
            digests[name] = hashlib.sha256(Path(name).read_bytes()).hexdigest()
        except OSError:
            digests[name] = ""
    return digests


def _read(entry: Path) -> RuleSet | None:
    if not owned_and_private(entry):
        return None
    try:
        data = entry.read_bytes()
        inputs, ruleset = pickle.loads(data)
        if _input_digests(list(inputs)) != inputs:
            return None
        return ruleset  # type: ignore[no-any-return]
    except Exception:  # stale (a validator no longer builds), truncated or from other code: load afresh
        return None


def _store(entry: Path, ruleset: RuleSet) -> None:
    buffer = io.BytesIO()
    try:
        _RulePickler(buffer).dump((_input_digests(ruleset.inputs), ruleset))
        write_atomic(entry, buffer.getvalue())
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # a read-only home, a full disk or an unpicklable rule only cost the next start its parse
    _prune(entry)


def _prune(kept: Path) -> None:
    with contextlib.suppress(OSError):  # an entry another process removed first: pruning is best effort
        entries = sorted(kept.parent.glob("rules-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[_KEEP:]:
            if old != kept:
                old.unlink(missing_ok=True)


class _RulePickler(pickle.Pickler):
    """Pickles a rule set with each validator as its recipe (name and arguments), not its check."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is ValidatorSpec:
            return _rebuilt_validator, (obj.name, dict(obj.args), obj.boost, obj.where, obj.on_fail)
        if type(obj) is re.Pattern:
            return _pattern_recipe(obj)
        return NotImplemented


def _pattern_recipe(pattern: re.Pattern[Any]) -> tuple[Any, tuple[Any, ...]]:
    with contextlib.suppress(Exception):  # another Python's internals: store the source
        arguments = _sre_arguments(pattern.pattern, pattern.flags)
        if _sre.compile(*arguments) == pattern:  # equal flags, source and program
            return _program_pattern, arguments
    return re.compile, (pattern.pattern, pattern.flags)


def _sre_arguments(source: str | bytes, flags: int) -> tuple[Any, ...]:
    """What `re._compiler.compile` passes to `_sre.compile` for `source`."""
    parsed = _parser.parse(source, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # the opcodes are int subclasses that do not pickle: plain ints
    return source, flags | parsed.state.flags, list(map(int, code)), parsed.state.groups - 1, groupindex, tuple(indexgroup)


def _program_pattern(*arguments: Any) -> re.Pattern[Any]:
    try:
        return _sre.compile(*arguments)  # type: ignore[no-any-return]
    except Exception:
        return re.compile(arguments[0], arguments[1])


def _rebuilt_validator(
    name: str, args: dict[str, Any], boost: float, where: Where, on_fail: float | None
) -> ValidatorSpec:
    try:
        check, _ = BUILTIN.build(name, {**args, "__files_checked__": True})
    except ValueError as exc:
        raise _Stale(str(exc)) from None
    return ValidatorSpec(name, check, boost, where, on_fail, args)
