"""The start-up cache of loaded rule sets: same rules as a fresh parse, stale when any input changes,
never loaded from a folder others can write, and never a reason to lose a rule problem."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detectors.engine import Engine, EngineSpec
from detectors.likelihood import Likelihood
from detectors.loader import load_rules, resolve_policy
from detectors.model import Rule
from detectors.policy import Policy
from detectors.rulecache import _program_pattern, _sre_arguments, load_rules_cached
from detectors.validators.wordlist import WordSets

RULES = """\
pack: team
rules:
  - id: PROJECT_CODE
    entity: PROJECT_CODE
    patterns:
      - regex: '\\bPRJ-(?P<value>\\d{4})\\b'
        group: value
    validators:
      - wordlist: {file: data/codenames.txt, part: any, negate: true}
    context: [project]
    tests:
      match: ['project PRJ-1234']
"""


def write_pack(folder: Path, words: str = "9999\n") -> Path:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "codenames.txt").write_text(words, encoding="utf-8")
    rules = folder / "team.yaml"
    rules.write_text(RULES, encoding="utf-8")
    return rules


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("rules-*.pickle"))


def found(rules: list[Rule], text: str) -> list[tuple[str, str]]:
    engine = Engine(rules, Policy(min_likelihood=Likelihood.VERY_UNLIKELY))
    return [(m.rule_id, text[m.start:m.end]) for m in engine.analyze(text)]


def test_the_second_load_comes_from_the_cache_and_finds_the_same(tmp_path):
    rules = write_pack(tmp_path / "rules")
    cache = tmp_path / "cache"
    first = load_rules_cached([rules], cache)
    assert len(entries(cache)) == 1
    entry = entries(cache)[0]
    second = load_rules_cached([rules], cache)
    assert entries(cache) == [entry]
    assert second.rules == first.rules and second.rules[0] is not first.rules[0]
    text = "project PRJ-1234 and project PRJ-9999"
    assert found(second.rules, text) == found(first.rules, text) == [("PROJECT_CODE", "1234")]


def test_a_changed_word_list_makes_the_entry_stale(tmp_path):
    rules = write_pack(tmp_path / "rules")
    cache = tmp_path / "cache"
    load_rules_cached([rules], cache)
    (tmp_path / "rules" / "data" / "codenames.txt").write_text("1234\n", encoding="utf-8")
    reloaded = load_rules_cached([rules], cache)
    assert found(reloaded.rules, "project PRJ-1234 and project PRJ-9999") == [("PROJECT_CODE", "9999")]


def test_a_changed_rule_file_is_a_new_entry(tmp_path):
    rules = write_pack(tmp_path / "rules")
    cache = tmp_path / "cache"
    load_rules_cached([rules], cache)
    rules.write_text(RULES.replace("PRJ-", "PJT-"), encoding="utf-8")
    reloaded = load_rules_cached([rules], cache)
    assert len(entries(cache)) == 2
    assert found(reloaded.rules, "project PJT-1234") == [("PROJECT_CODE", "1234")]


def test_a_rule_set_with_errors_is_never_cached_and_its_problems_are_reported_every_time(tmp_path):
    rules = write_pack(tmp_path / "rules")
    rules.write_text(RULES.replace("'\\bPRJ", "'(\\bPRJ"), encoding="utf-8")
    cache = tmp_path / "cache"
    for _ in range(2):
        ruleset = load_rules_cached([rules], cache)
        assert [(Path(p.file).name, p.line) for p in ruleset.errors] == [("team.yaml", 6)]
        assert "invalid regex" in ruleset.errors[0].message
    assert entries(cache) == []


def test_an_entry_others_can_write_is_never_loaded(tmp_path):
    rules = write_pack(tmp_path / "rules")
    cache = tmp_path / "cache"
    load_rules_cached([rules], cache)
    entry = entries(cache)[0]
    # a planted entry under the same name: rules of someone else's choosing
    load_rules_cached([write_pack(tmp_path / "other")], tmp_path / "other-cache")
    planted = entries(tmp_path / "other-cache")[0].read_bytes()

    def plant(file_mode: int, folder_mode: int) -> str:
        entry.write_bytes(planted)
        os.chmod(entry, file_mode)
        os.chmod(cache, folder_mode)
        return load_rules_cached([rules], cache).rules[0].where.file

    assert plant(0o600, 0o700) == str(tmp_path / "other" / "team.yaml")  # private: trusted as written
    assert plant(0o666, 0o700) == str(rules)
    assert plant(0o620, 0o700) == str(rules)
    assert plant(0o600, 0o777) == str(rules)


def test_a_corrupt_entry_is_parsed_afresh(tmp_path):
    rules = write_pack(tmp_path / "rules")
    cache = tmp_path / "cache"
    expected = load_rules_cached([rules], cache).rules
    entry = entries(cache)[0]
    entry.write_bytes(entry.read_bytes()[:1000])
    assert load_rules_cached([rules], cache).rules == expected
    entry.write_bytes(b"not a pickle")
    assert load_rules_cached([rules], cache).rules == expected


def test_a_validator_that_no_longer_builds_makes_the_entry_stale(tmp_path):
    rules = write_pack(tmp_path / "rules")
    cache = tmp_path / "cache"
    load_rules_cached([rules], cache)
    # the rule file is unchanged, but its validator cannot be rebuilt (here: its `part` is damaged)
    entry = entries(cache)[0]
    entry.write_bytes(entry.read_bytes().replace(b"any", b"xyz"))
    reloaded = load_rules_cached([rules], cache)
    assert not reloaded.errors
    assert found(reloaded.rules, "project PRJ-1234") == [("PROJECT_CODE", "1234")]


def test_no_cache_folder_means_no_cache(tmp_path, monkeypatch):
    rules = write_pack(tmp_path / "rules")
    monkeypatch.setenv("DLP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DLP_NO_CACHE", "1")
    load_rules_cached([rules])
    assert not (tmp_path / "cache").exists()
    monkeypatch.delenv("DLP_NO_CACHE")
    load_rules_cached([rules])
    assert len(entries(tmp_path / "cache")) == 1


def test_the_built_in_rules_from_the_cache_equal_a_fresh_parse(tmp_path):
    """Every rule, every compiled regex (source, flags and program), every validator's answers."""
    paths, _ = resolve_policy((), "full")
    fresh = load_rules(paths)
    load_rules_cached(paths, tmp_path)
    cached = load_rules_cached(paths, tmp_path)
    assert len(entries(tmp_path)) == 1
    assert cached.rules == fresh.rules and cached.policies == fresh.policies
    assert [str(p) for p in cached.problems] == [str(p) for p in fresh.problems]
    for new, old in zip(cached.rules, fresh.rules):
        assert [p.compiled for p in new.patterns] == [p.compiled for p in old.patterns]
        assert [c.compiled for c in new.context] == [c.compiled for c in old.context]
        assert [p.facts for p in new.patterns] == [p.facts for p in old.patterns]
        values = [e.value or e.text for e in old.examples]
        for validator_new, validator_old in zip(new.validators, old.validators):
            assert [validator_new.check(v) for v in values] == [validator_old.check(v) for v in values], new.id


def test_the_built_in_rules_from_the_cache_find_what_a_fresh_parse_finds(tmp_path):
    """All rule examples through the full policy's rules that need no model."""
    paths, policy = resolve_policy((), "full")
    load_rules_cached(paths, tmp_path)  # fills the cache
    cached = load_rules_cached(paths, tmp_path).rules
    fresh = load_rules(paths).rules
    texts = [e.text for rule in fresh for e in rule.examples]

    def findings(rules: list[Rule]) -> list[list[tuple[int, int, str]]]:
        engine = Engine([r for r in rules if r.ner is None and policy.selects(r)], policy, catalog=rules)
        return [[(m.start, m.end, m.rule_id) for m in found] for found in engine.analyze_batch(texts)]

    assert findings(cached) == findings(fresh)
    assert sum(map(len, findings(fresh))) > 1000


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([r"\d{3}-\d{2}", r"(?i)(?P<v>ab+)c", r"(?x) a b # c", r"[^\W\d_]+(?=\s)", "(?:é|e)\\b",
                        r"(a)(?(1)b|c)", r"(?s).{2,5}?$"]),
       st.sampled_from([0, re.IGNORECASE, re.MULTILINE, re.DOTALL | re.VERBOSE]), st.text(max_size=30))
def test_a_stored_program_rebuilds_the_same_pattern(source, flags, text):
    original = re.compile(source, flags)
    rebuilt = _program_pattern(*_sre_arguments(original.pattern, original.flags))
    assert rebuilt == original and rebuilt.groupindex == original.groupindex
    assert [m.span() for m in rebuilt.finditer(text)] == [m.span() for m in original.finditer(text)]


def test_word_lists_read_on_first_use_answer_like_lists_read_at_once(tmp_path):
    given_names = tmp_path / "given.txt"
    given_names.write_text("# given names\nAmara\nToby\n", encoding="utf-8")
    ordinary = tmp_path / "ordinary.txt"
    ordinary.write_text("toby\n", encoding="utf-8")
    later = WordSets.read_on_first_use([given_names], [ordinary], False)
    assert later.sets == ()  # nothing read yet
    assert ("amara" in later, "toby" in later, "zed" in later) == (True, False, False)
    assert later.sets == (frozenset({"amara", "toby"}),)


@pytest.mark.parametrize("policy", ["default", "full"])
def test_engines_load_their_rules_through_the_cache(tmp_path, monkeypatch, policy):
    monkeypatch.setenv("DLP_CACHE_DIR", str(tmp_path))
    first = Engine.from_spec(EngineSpec(policy_path=policy))
    assert len(entries(tmp_path)) == 1
    second = Engine.from_spec(EngineSpec(policy_path=policy))
    assert len(entries(tmp_path)) == 1
    assert [r.id for r in second.rules] == [r.id for r in first.rules]
    text = "card 4111 1111 1111 1111, SSN 123-45-6789 and key AKIAIOSFODNN7EXAMPLE"
    assert [(m.rule_id, m.start) for m in second.analyze(text)] == [(m.rule_id, m.start) for m in first.analyze(text)]
