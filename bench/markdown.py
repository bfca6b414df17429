"""Render a results JSON file as the Markdown tables of BENCHMARKS.md.

python -m bench.markdown bench-results.json > tables.md
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.documents import describe_line as documents_line
from bench.documents import table_rows as documents_rows
from bench.goals import evaluate_goals
from bench.heldout import describe_line, facet_lines, table_rows


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> str:
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _spread(values: dict[str, float], digits: int) -> str:
    return f"{values['min']:.{digits}f} / **{values['median']:.{digits}f}** / {values['max']:.{digits}f}"


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def render(results: dict[str, Any]) -> str:
    parts: list[str] = []
    machine = results.get("machine", {})
    parts.append(
        f"Run {results.get('started_at', '')}, `{results.get('command', '')}`, {results.get('seconds', 0):.0f} s in all. "
        f"Machine: {machine.get('cpu')}, {machine.get('cores')} cores, {machine.get('memory_gb')} GB, "
        f"{machine.get('system')}, Python {machine.get('python')}; load average "
        f"{machine.get('load_average_at_start')} at the start, {machine.get('load_average_at_end')} at the end."
    )
    goals = evaluate_goals(results)
    parts.append(
        "### Goals\n\n"
        + _table(
            ["goal", "target", "measured", "met"],
            [[g.name, g.target, g.measured, {True: "yes", False: "**no**", None: "-"}[g.met]] for g in goals],
        )
    )
    if "detection" in results:
        parts.append(_detection(results["detection"]))
    if "person_heldout" in results:
        parts.append(_person_heldout(results["person_heldout"]))
    if "external" in results:
        parts.append(external_markdown(results["external"]))
    if "presidio_entities" in results:
        parts.append(presidio_entities_markdown(results["presidio_entities"]))
    if "extraction" in results:
        parts.append(_extraction(results["extraction"]))
    scans = {}
    if "end_to_end" in results:
        scans["end to end (rate limits off)"] = results["end_to_end"]
    if "scaling" in results:
        scans.update({f"scaling {label}": run for label, run in results["scaling"]["runs"].items()})
    if scans:
        parts.append(_scans(scans, results.get("scaling")))
    if "rate_limited" in results:
        parts.append(_rate_limited(results["rate_limited"]))
    if "rate_budget" in results:
        parts.append(_rate_budget(results["rate_budget"]))
    return "\n\n".join(parts) + "\n"


def _detection(detection: dict[str, Any]) -> str:
    corpus = detection["corpus"]
    out = [
        (
            f"### Detection speed\n\nCorpus: {corpus['scale']}, seed {corpus['seed']}: {corpus['texts']:,} texts "
            f"({', '.join(f'{k} {v:,}' for k, v in corpus['texts_by_source'].items())}), {corpus['mb']} MB, "
            f"{corpus['labelled_values']:,} labelled values of which {corpus['lookalikes']} look-alikes. "
            "Rates are min / **median** / max over the rounds."
        )
    ]
    builds = detection.get("build_seconds", {})
    rows = [
        [label, data["rounds"], _spread(data["texts_per_s"], 1), _spread(data["mb_per_s"], 4), builds.get(label, "")]
        for label, data in detection["throughput"].items()
    ]
    if rows:
        out.append(_table(["engine", "rounds", "texts/s", "MB/s", "engine build s"], rows, right=(1, 2, 3, 4)))
    if detection.get("documents"):
        header, rows = documents_rows(detection["documents"], lambda values: _spread(values, 2))
        out.append(
            f"Documents: throughput by density ({documents_line(detection['documents'])}):\n\n"
            + _table(header, rows, right=tuple(range(1, len(header))))
        )
    ratios = detection.get("ratios", {})
    if ratios:
        out.append(
            "\n".join(
                f"- {label.replace('_', ' ')}: **{r['median']:g}x** at the median rounds "
                f"({r['low']:g}x to {r['high']:g}x across rounds)"
                for label, r in ratios.items()
            )
        )
    if "ner" in detection:
        ner = detection["ner"]
        rows = []
        for analyzer, runs in ner["runs"].items():
            for count in ner["processes"]:
                data = runs[str(count)]
                speedup = runs["1"]["seconds_median"] / data["seconds_median"]
                rows.append(
                    [
                        analyzer,
                        count,
                        _spread(data["texts_per_s"], 1),
                        f"{speedup:.2f}x",
                        f"{data['cpu_bound_speedup']:.2f}x" if "cpu_bound_speedup" in data else "",
                        " + ".join(f"{s:.2f}" for s in data.get("worker_cpu_seconds", [])),
                    ]
                )
        out.append(
            "NER path vs plain spaCy (process pools of 1 and of every core):\n\n"
            + _table(
                ["analyzer", "processes", "texts/s", "speedup (wall)", "speedup (worker CPU)", "worker CPU s"],
                rows,
                right=(1, 2, 3, 4, 5),
            )
        )
    if detection.get("accuracy"):
        out.append(_accuracy(detection["accuracy"]))
    return "\n\n".join(out)


def _accuracy(accuracy: dict[str, Any]) -> str:
    engines = list(accuracy)
    entities = sorted({e for data in accuracy.values() for e in data["entities"]})
    rows = []
    for entity in entities:
        row = [entity]
        for engine in engines:
            s = accuracy[engine]["entities"].get(entity)
            if s is None or not s["supported"]:
                row.append("not covered")
            else:
                row.append(
                    f"{_f(s['precision'])} / {_f(s['recall'])} / **{_f(s['f1'])}** "
                    f"({s['tp']}/{s['fp']}/{s['fn']}; {s['lookalike_fp']})"
                )
        rows.append(row)
    out = [
        "### Accuracy\n\nPrecision / recall / **F1** (true positives / false positives / false negatives; "
        "false positives on look-alikes)\n\n" + _table(["entity", *engines], rows)
    ]
    lines = []
    for engine in engines:
        other = accuracy[engine]["other_entities"]
        if other:
            lines.append(f"- {engine} also reported: " + ", ".join(f"{n} {c:,}" for n, c in other.items()))
    for engine in engines:
        secrets = accuracy[engine]["recall_by_subtype"].get("SECRET")
        if secrets and accuracy[engine]["entities"].get("SECRET", {}).get("supported"):
            lines.append(
                f"- {engine}, SECRET recall by provider: "
                + ", ".join(f"{sub} {v['found']}/{v['planted']}" for sub, v in secrets.items())
            )
    if lines:
        out.append("Entity types the ground truth does not label, and secrets by provider:\n\n" + "\n".join(lines))
    return "\n\n".join(out)


def _person_heldout(heldout: dict[str, Any]) -> str:
    header, rows = table_rows(heldout)
    return (
        "### PERSON on held-out names\n\n"
        f"PERSON on names none of whose parts is in the PERSON rule's word lists (bench/heldout.py): "
        f"{describe_line(heldout)}. Scored as the accuracy table (overlap); exact spans are names reported "
        "with their exact boundaries.\n\n"
        + _table(header, rows, right=tuple(range(1, len(header))))
        + "\n\n"
        + "\n".join(f"- {line}" for line in facet_lines(heldout))
    )


def external_markdown(external: dict[str, Any]) -> str:
    """The side-by-side tables of the external section: per file, then per source (genre or repository)."""
    from bench.external import rows, sources

    if "skipped" in external:
        return f"### External corpora\n\nSkipped: {external['skipped']}."
    header = ["entity", *external["engines"]]
    right = tuple(range(1, len(header)))
    out = ["### External corpora\n\n"
           f"{external['texts']:,} distinct texts ({', '.join(external['files'])}), scored with the corpus's own "
           "`score.py` (overlap; every finding on a `no_match` record is a false positive). Precision / recall / "
           f"**F1**; NER model `{external['ner_model']}`. Seconds per engine: "
           + ", ".join(f"{name} {s:g}" for name, s in external["seconds"].items()) + "."]
    for file in external["files"]:
        out.append(f"#### {file}\n\n" + _table(header, rows(external, file), right=right))
        per_source = []
        for source in sources(external, file):
            for row in rows(external, file, source):
                per_source.append([source, *row])
        out.append(f"{file} per source:\n\n" + _table(["source", *header], per_source, right=tuple(range(2, len(header) + 1))))
    return "\n\n".join(out)


def presidio_entities_markdown(data: dict[str, Any]) -> str:
    """Every entity Presidio reports, on our own labelled sentences (bench/presidio_entities.py)."""
    from bench.presidio_entities import rows

    header = ["entity", *data["engines"]]
    right = tuple(range(1, len(header)))
    return ("### Presidio's entities on our own sentences\n\n"
            f"{data['texts']} texts, {data['labels']} labels (`bench/data/{data['file']}`); precision / recall / "
            f"**F1** by overlap, and how many found labels a finding matches exactly. NER model "
            f"`{data['ner_model']}`. Seconds per engine: "
            + ", ".join(f"{name} {s:g}" for name, s in data["seconds"].items()) + ".\n\n"
            + _table(header, rows(data), right=right) + "\n\nPer group of the set:\n\n"
            + _table(["group", *data["engines"]], rows(data, by="groups"), right=right))


def _extraction(extraction: dict[str, Any]) -> str:
    rows = []
    for kind, data in extraction["formats"].items():
        if "error" in data:
            rows.append([kind, "", "", "", "", data["error"]])
            continue
        rows.append(
            [
                kind,
                f"{data['mb']:.2f}",
                f"{data['parts']:,}",
                f"{data['library']['seconds_median']:.4f}",
                f"{data['extract']['seconds_median']:.4f}",
                f"{data['overhead']:+.0%}",
            ]
        )
    return (
        f"### Extraction\n\nFiles at {extraction['scale']:g} of bench/extract_bench.py's sizes; median seconds.\n\n"
        + _table(["format", "MB", "parts", "bare library s", "extract() s", "overhead"], rows, right=(1, 2, 3, 4, 5))
    )


def _scans(scans: dict[str, Any], scaling: dict[str, Any] | None) -> str:
    rows = []
    for label, run in scans.items():
        memory = run.get("memory", {})
        rows.append(
            [
                label,
                run.get("status"),
                f"{run.get('seconds', 0):.1f}",
                run.get("seconds_before_first_request", ""),
                f"{run.get('items', 0):,}",
                run.get("items_per_s", ""),
                run.get("files", ""),
                run.get("files_per_s", ""),
                f"{run.get('findings_new', 0):,}",
                run.get("findings_per_s", ""),
                memory.get("scan_process_maxrss_mb", ""),
                memory.get("tree_peak_mb", ""),
            ]
        )
    out = [
        "### End to end and scaling\n\n"
        + _table(
            [
                "run",
                "status",
                "s",
                "s before 1st request",
                "items",
                "items/s",
                "files",
                "files/s",
                "findings written",
                "findings/s",
                "peak RSS scan MB",
                "peak RSS scan + workers MB",
            ],
            rows,
            right=tuple(range(2, 12)),
        )
    ]
    fit = (scaling or {}).get("fit")
    if fit:
        out.append(
            f"Least-squares line through the scaling runs: {fit['startup_seconds']:g} s + "
            f"{fit['ms_per_item']:g} ms per item (R² {fit['r_squared']:g}, largest residual "
            f"{fit['largest_residual_share']:.0%}); {fit['items_ratio']:g}x the items took "
            f"{fit['seconds_ratio']:g}x the time and {fit['memory_ratio']:g}x the peak memory."
        )
    return "\n\n".join(out)


def _rate_limited(run: dict[str, Any]) -> str:
    budget = run.get("budget") or {}
    rows = [
        [
            template,
            d["class"],
            d["per_minute"],
            d["served"],
            d["throttled_429"],
            f"{d['allowance']:.0f}",
            f"{d['share']:.0%}",
        ]
        for template, d in (budget.get("endpoints") or {}).items()
    ]
    return (
        f"### Rate limits on\n\nRequests the emulator answered in the {budget.get('window_seconds', 0):.0f} s "
        "after the scan's first request, per endpoint, against its allowance (rate x window):\n\n"
        + _table(
            ["endpoint", "class", "per minute", "served", "429", "allowance", "share"], rows, right=(2, 3, 4, 5, 6)
        )
    )


def _rate_budget(budget: dict[str, Any]) -> str:
    rows = [
        [route, d["per_minute"], d["served"], d["throttled_429"], f"{d['busy_span_s']:.0f}",
         d["busiest_rolling_minute"], f"{d['share']:.0%}"]
        for route, d in (budget.get("routes") or {}).items()
    ]  # fmt: skip
    return (
        f"### Rate budget of a long scan\n\nA default scan against the emulator at its documented limits, on a fake "
        f"clock ({budget.get('virtual_seconds', 0):.0f} s of API time): per route, the requests served against the "
        "capacity of its busy span (per minute x (span + 60 s) / 60):\n\n"
        + _table(["route", "per minute", "served", "429", "busy span s", "busiest rolling minute", "share"], rows,
                 right=(1, 2, 3, 4, 5, 6))
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m bench.markdown RESULTS.json", file=sys.stderr)
        return 2
    print(render(json.loads(Path(args[0]).read_text(encoding="utf-8"))), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
