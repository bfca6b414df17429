"""The external-corpora section (bench/external.py) on a tiny corpus of our own, with a scorer of our own in
the corpus folder: the section must import the folder's scorer, score every engine per file and per source,
and skip cleanly when there is no corpus."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from bench.cli import build_parser, settings_from_args
from bench.external import corpora_dir, evaluate, rows, sources
from bench.markdown import external_markdown

# A scorer with the corpus's interface (load_records, evaluate) and its overlap semantics, written here.
SCORER = textwrap.dedent('''
    import json, os
    from collections import defaultdict

    def load_records(paths):
        out = []
        for path in paths:
            for line in open(path, encoding="utf-8"):
                if line.strip():
                    rec = json.loads(line)
                    rec.setdefault("_file", os.path.basename(path))
                    out.append(rec)
        return out

    def evaluate(records, predictions):
        stats = defaultdict(lambda: defaultdict(int))
        for rec in records:
            preds = [(f["start"], f["end"]) for f in predictions.get(rec["id"], []) if f["entity"] == rec["entity"]]
            gold = [tuple(s) for s in rec["spans"]]
            s = stats[rec["entity"]]
            s["gold"] += len(gold)
            s["pred"] += len(preds)
            s["tp_pred"] += sum(1 for p in preds if any(p[0] < g[1] and g[0] < p[1] for g in gold))
            s["tp_gold"] += sum(1 for g in gold if any(p[0] < g[1] and g[0] < p[1] for p in preds))
        def score(s):
            p = s["tp_pred"] / s["pred"] if s["pred"] else (0.0 if s["gold"] else None)
            r = s["tp_gold"] / s["gold"] if s["gold"] else None
            f = 2 * p * r / (p + r) if p is not None and r is not None and p + r else (0.0 if r is not None else None)
            return dict(s, precision=p, recall=r, f1=f)
        micro = defaultdict(int)
        for s in stats.values():
            for k, v in s.items():
                micro[k] += v
        return {"entities": {e: score(s) for e, s in stats.items()}, "micro": score(micro)}
''')


def _record(rid: str, genre: str, text: str, entity: str, value: str | None) -> dict[str, object]:
    spans = [] if value is None else [[text.index(value), text.index(value) + len(value)]]
    return {"id": rid, "source": "example/own@0:made-up", "subtype": genre, "text": text, "entity": entity,
            "expect": "match" if spans else "no_match", "spans": spans}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpora")
    (folder / "score.py").write_text(SCORER, encoding="utf-8")
    names = [
        _record("n1", "chat", "Please forward the signed contract to Maria Garcia before Friday.", "PERSON",
                "Maria Garcia"),
        _record("n2", "chat", "The quarterly numbers look fine to me.", "PERSON", None),
        _record("n3", "wiki", "The company moved its headquarters from Chicago to Berlin in 2019.", "LOCATION",
                "Berlin"),
        _record("n4", "wiki", "The company moved its headquarters from Chicago to Berlin in 2019.", "PERSON", None),
    ]
    secrets = [_record("s1", "keys", "aws_access_key_id = AKIAQ3EGUKOWZ7RNXHCT", "SECRET", "AKIAQ3EGUKOWZ7RNXHCT")]
    for name, records in (("names.jsonl", names), ("secrets.jsonl", secrets)):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def results(corpus: Path) -> dict[str, object]:
    return evaluate(engines=("default", "full"), folder=corpus, progress=lambda _: None)


def test_every_engine_is_scored_per_file_and_per_source(results: dict[str, object]) -> None:
    assert results["files"] == ["names.jsonl", "secrets.jsonl"]
    names = results["scores"]["default"]["names.jsonl"]  # type: ignore[index]
    assert set(names["sources"]) == {"chat", "wiki"}
    person = names["sources"]["chat"]["entities"]["PERSON"]
    assert (person["tp_gold"], person["gold"], person["pred"]) == (1, 1, 1)
    secrets = results["scores"]["full"]["secrets.jsonl"]  # type: ignore[index]
    assert set(secrets["sources"]) == {"example/own"}  # the repository part of `source`
    assert secrets["all"]["entities"]["SECRET"]["tp_gold"] == 1


def test_full_reports_locations_the_default_policy_leaves_out(results: dict[str, object]) -> None:
    default = results["scores"]["default"]["names.jsonl"]["all"]["entities"]["LOCATION"]  # type: ignore[index]
    full = results["scores"]["full"]["names.jsonl"]["all"]["entities"]["LOCATION"]  # type: ignore[index]
    assert default["pred"] == 0
    assert full["tp_gold"] == 1


def test_tables_put_the_engines_side_by_side(results: dict[str, object]) -> None:
    table = {row[0]: row[1:] for row in rows(results, "names.jsonl")}  # type: ignore[arg-type]
    assert table["PERSON"] == ["1.000 / 1.000 / **1.000**", "1.000 / 1.000 / **1.000**"]
    assert table["LOCATION"][0].startswith("- / 0.000")
    assert sources(results, "names.jsonl") == ["chat", "wiki"]  # type: ignore[arg-type]
    text = external_markdown(results)  # type: ignore[arg-type]
    assert "#### names.jsonl" in text and "| wiki | LOCATION |" in text


def test_the_section_is_skipped_with_a_message_without_corpora(tmp_path: Path, corpus: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert corpora_dir({"DLP_EXTERNAL_CORPORA": str(corpus)}) == corpus
    monkeypatch.setenv("DLP_EXTERNAL_CORPORA", str(tmp_path))  # a folder without score.py
    result = evaluate(progress=lambda _: None)
    assert result == {"skipped": f"no external corpora: {tmp_path} has no score.py "
                                 "(set $DLP_EXTERNAL_CORPORA to the folder)"}
    assert external_markdown(result).startswith("### External corpora\n\nSkipped: no external corpora")


def test_tiny_runs_leave_the_external_section_out_unless_named() -> None:
    tiny = settings_from_args(build_parser().parse_args(["--tiny"]))
    assert "external" not in tiny.sections
    named = settings_from_args(build_parser().parse_args(["--tiny", "--only", "external",
                                                          "--external-engines", "default"]))
    assert named.sections == ("external",) and named.external_engines == ("default",)
