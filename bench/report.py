"""The terminal tables of a run (rich) and its JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.documents import describe_line as documents_line
from bench.documents import table_rows as documents_rows
from bench.goals import evaluate_goals
from bench.heldout import describe_line, facet_lines, fp_examples, table_rows


def write_json(results: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def print_report(results: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    machine = results.get("machine", {})
    console.print(f"[bold]dlp benchmark[/] {results.get('started_at', '')}  command: {results.get('command', '')}")
    console.print(
        f"machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
        f"{machine.get('memory_gb', '?')} GB, {machine.get('system', '')}, Python {machine.get('python', '')}"
    )
    if "detection" in results:
        _detection(console, results["detection"])
    if "person_heldout" in results:
        _person_heldout(console, results["person_heldout"])
    if "external" in results:
        print_external(console, results["external"])
    if "presidio_entities" in results:
        print_presidio_entities(console, results["presidio_entities"])
    if "extraction" in results:
        _extraction(console, results["extraction"])
    if "end_to_end" in results:
        _scan_table(console, "End to end: full scan, rate limits off", {"scan": results["end_to_end"]})
    if "rate_limited" in results:
        _rate_limited(console, results["rate_limited"])
    if "rate_budget" in results:
        _rate_budget(console, results["rate_budget"])
    if "scaling" in results:
        _scaling(console, results["scaling"])
    _goals(console, results)


def _range(values: dict[str, float], digits: int) -> str:
    return f"{values['min']:.{digits}f} / {values['median']:.{digits}f} / {values['max']:.{digits}f}"


def _detection(console: Console, detection: dict[str, Any]) -> None:
    corpus = detection["corpus"]
    console.print(
        f"\n[bold]Detection corpus[/]: {corpus['scale']}, seed {corpus['seed']}: {corpus['texts']:,} texts, "
        f"{corpus['mb']} MB, {corpus['labelled_values']:,} labelled values ({corpus['lookalikes']} look-alikes)"
    )
    builds = detection.get("build_seconds", {})
    if detection.get("throughput"):
        table = Table(title="Detection throughput (min / median / max over rounds)")
        for column in ("engine", "rounds", "texts/s", "MB/s", "build s"):
            table.add_column(column, justify="right" if column != "engine" else "left")
        for label, data in detection["throughput"].items():
            table.add_row(
                label,
                str(data["rounds"]),
                _range(data["texts_per_s"], 1),
                _range(data["mb_per_s"], 4),
                str(builds.get(label, "")),
            )
        console.print(table)
    elif builds:
        console.print("  engine build s: " + ", ".join(f"{label} {s:g}" for label, s in builds.items()))
    if detection.get("documents"):
        _documents(console, detection["documents"])
    for label, ratio in detection.get("ratios", {}).items():
        console.print(f"  {label}: {ratio['median']:g}x at the median (range {ratio['low']:g}-{ratio['high']:g}x)")
    if "ner" in detection:
        _ner(console, detection["ner"])
    if detection.get("accuracy"):
        _accuracy(console, detection["accuracy"])


def _label_and_numbers_table(title: str, header: list[str], rows: list[list[str]]) -> Table:
    """A table whose first column is a label and the others are numbers (right-aligned)."""
    table = Table(title=title)
    for i, column in enumerate(header):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    return table


def _documents(console: Console, documents: dict[str, Any]) -> None:
    header, rows = documents_rows(documents, lambda values: _range(values, 2))
    console.print(_label_and_numbers_table("Documents: throughput by density (MB/s min / median / max over rounds)",
                                           header, rows))
    console.print(f"  {documents_line(documents)}")


def _ner(console: Console, ner: dict[str, Any]) -> None:
    table = Table(title="NER path vs plain spaCy nlp.pipe (process pools; min / median / max)")
    for column in ("analyzer", "processes", "texts/s", "MB/s", "speedup vs 1", "by worker CPU", "worker CPU s"):
        table.add_column(column, justify="right" if column != "analyzer" else "left")
    for analyzer, runs in ner["runs"].items():
        for count in ner["processes"]:
            data = runs[str(count)]
            speedup = runs["1"]["seconds_median"] / data["seconds_median"]
            cpu_bound = data.get("cpu_bound_speedup")
            table.add_row(
                analyzer,
                str(count),
                _range(data["texts_per_s"], 1),
                _range(data["mb_per_s"], 4),
                f"{speedup:.2f}x",
                "" if cpu_bound is None else f"{cpu_bound:.2f}x",
                " + ".join(f"{s:.2f}" for s in data.get("worker_cpu_seconds", [])),
            )
    console.print(table)
    for count, ratio in ner.get("ours_vs_spacy_full", {}).items():
        console.print(f"  our NER path vs spaCy's full pipeline on {count} process(es): {ratio:g}x")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _accuracy(console: Console, accuracy: dict[str, Any]) -> None:
    engines = list(accuracy)
    table = Table(title="Accuracy per labelled entity: precision / recall / F1 (tp, fp, fn; lookalike fp)")
    table.add_column("entity")
    for engine in engines:
        table.add_column(engine)
    entities = sorted({e for data in accuracy.values() for e in data["entities"]})
    for entity in entities:
        cells = []
        for engine in engines:
            score = accuracy[engine]["entities"].get(entity)
            if score is None or not score["supported"]:
                cells.append("not covered")
                continue
            cells.append(
                f"{_fmt(score['precision'])} / {_fmt(score['recall'])} / {_fmt(score['f1'])}  "
                f"({score['tp']}, {score['fp']}, {score['fn']}; {score['lookalike_fp']})"
            )
        table.add_row(entity, *cells)
    console.print(table)
    for engine in engines:
        other = accuracy[engine]["other_entities"]
        if other:
            console.print(
                f"  {engine} also reported (unlabelled types): "
                + ", ".join(f"{name} {count}" for name, count in other.items())
            )
    for engine in engines:
        secrets = accuracy[engine]["recall_by_subtype"].get("SECRET")
        if secrets and accuracy[engine]["entities"].get("SECRET", {}).get("supported"):
            console.print(
                f"  {engine} SECRET recall by provider: "
                + ", ".join(f"{sub} {v['found']}/{v['planted']}" for sub, v in secrets.items())
            )


def _person_heldout(console: Console, heldout: dict[str, Any]) -> None:
    header, rows = table_rows(heldout)
    console.print(_label_and_numbers_table("PERSON on held-out names (not in the PERSON rule's word lists)", header, rows))
    console.print(f"  {describe_line(heldout)}")
    for line in facet_lines(heldout):
        console.print(f"  {line}")
    for label, data in heldout["engines"].items():
        if data["examples"]["false_positives"]:
            console.print(f"  {label} false positives, e.g.: {fp_examples(data)}")


def print_external(console: Console, external: dict[str, Any]) -> None:
    """Per-entity precision / recall / F1 of each engine on the external corpora, per file and per source."""
    from bench.external import rows, sources

    if "skipped" in external:
        console.print(f"External corpora: skipped ({external['skipped']})")
        return
    header = ["entity", *external["engines"]]
    for file in external["files"]:
        console.print(_label_and_numbers_table(f"{file}: precision / recall / F1 (corpus scoring)", header,
                                               rows(external, file)))
        for source in sources(external, file):
            console.print(_label_and_numbers_table(f"{file}, {source}", header, rows(external, file, source)))
    seconds = ", ".join(f"{name} {s:g} s" for name, s in external["seconds"].items())
    console.print(f"  {external['texts']:,} distinct texts from {external['folder']}; seconds per engine: {seconds}")


def print_presidio_entities(console: Console, data: dict[str, Any]) -> None:
    """Every entity Presidio reports, on our own labelled sentences: per entity, then per group of the set."""
    from bench.presidio_entities import rows

    header = ["entity", *data["engines"]]
    title = f"Presidio's entities on {data['file']} ({data['texts']} texts, {data['labels']} labels): P / R / F1"
    console.print(_label_and_numbers_table(title, header, rows(data)))
    console.print(_label_and_numbers_table("... per group of the set", ["group", *data["engines"]],
                                           rows(data, by="groups")))
    seconds = ", ".join(f"{name} {s:g} s" for name, s in data["seconds"].items())
    console.print(f"  seconds per engine: {seconds}")


def _extraction(console: Console, extraction: dict[str, Any]) -> None:
    table = Table(
        title=f"Extraction: extract() vs the bare library (scale {extraction['scale']:g}; min / median / max s)"
    )
    for column in ("format", "MB", "parts", "library s", "extract() s", "overhead"):
        table.add_column(column, justify="right" if column != "format" else "left")
    for kind, data in extraction["formats"].items():
        if "error" in data:
            table.add_row(kind, "", "", "", "", data["error"])
            continue
        library, ours = data["library"], data["extract"]
        table.add_row(
            kind,
            f"{data['mb']:.2f}",
            f"{data['parts']:,}",
            f"{library['seconds_min']:.3f} / {library['seconds_median']:.3f} / {library['seconds_max']:.3f}",
            f"{ours['seconds_min']:.3f} / {ours['seconds_median']:.3f} / {ours['seconds_max']:.3f}",
            f"{data['overhead']:+.0%}",
        )
    console.print(table)


def _scan_table(console: Console, title: str, runs: dict[str, dict[str, Any]]) -> None:
    table = Table(title=title)
    for column in (
        "run",
        "status",
        "seconds",
        "before 1st request s",
        "items",
        "items/s",
        "files",
        "files/s",
        "findings",
        "findings/s",
        "peak RSS scan MB",
        "peak RSS scan+workers MB",
    ):
        table.add_column(column, justify="right" if column not in ("run", "status") else "left")
    for label, run in runs.items():
        memory = run.get("memory", {})
        table.add_row(
            label,
            str(run.get("status")),
            f"{run.get('seconds', 0):.1f}",
            str(run.get("seconds_before_first_request", "")),
            f"{run.get('items', 0):,}",
            str(run.get("items_per_s", "")),
            str(run.get("files", "")),
            str(run.get("files_per_s", "")),
            f"{run.get('findings_new', 0):,}",
            str(run.get("findings_per_s", "")),
            str(memory.get("scan_process_maxrss_mb", "")),
            str(memory.get("tree_peak_mb", "")),
        )
    console.print(table)


def _rate_limited(console: Console, run: dict[str, Any]) -> None:
    budget = run.get("budget") or {}
    table = Table(
        title=f"Rate limits on: requests in the {budget.get('window_seconds', 0):.0f} s after the first "
        "one, per endpoint, against its allowance"
    )
    for column in ("endpoint", "class", "per min", "served", "429", "allowance", "share"):
        table.add_column(column, justify="right" if column not in ("endpoint", "class") else "left")
    for template, data in (budget.get("endpoints") or {}).items():
        table.add_row(
            template,
            data["class"],
            str(data["per_minute"]),
            str(data["served"]),
            str(data["throttled_429"]),
            f"{data['allowance']:.0f}",
            f"{data['share']:.0%}",
        )
    console.print(table)
    if budget.get("busiest"):
        console.print(
            f"  busiest endpoint {budget['busiest']}: {budget['busiest_share']:.0%} of its allowance; "
            f"{budget.get('throttled_429', 0)} responses were 429"
        )


def _rate_budget(console: Console, budget: dict[str, Any]) -> None:
    table = Table(
        title=f"Rate budget of a long default scan (fake clock: {budget.get('virtual_seconds', 0):.0f} s of API time "
        f"in {budget.get('wall_seconds', 0):.0f} s), per route"
    )
    for column in ("route", "per min", "served", "429", "busy span s", "busiest rolling min", "share"):
        table.add_column(column, justify="right" if column != "route" else "left")
    for route, data in (budget.get("routes") or {}).items():
        table.add_row(route, str(data["per_minute"]), str(data["served"]), str(data["throttled_429"]),
                      f"{data['busy_span_s']:.0f}", str(data["busiest_rolling_minute"]), f"{data['share']:.0%}")
    console.print(table)
    if budget.get("busiest"):
        console.print(f"  busiest route {budget['busiest']}: {budget['busiest_share']:.1%} of its allowance; "
                      f"self-caused 429s: {budget.get('self_caused_429', 0)}")


def _scaling(console: Console, scaling: dict[str, Any]) -> None:
    _scan_table(
        console,
        f"Scaling: the same scan at {', '.join(f'{f:g}x' for f in scaling['factors'])} of {scaling['base']}",
        scaling["runs"],
    )
    fit = scaling.get("fit")
    if fit:
        console.print(
            f"  seconds = {fit['startup_seconds']:g} s start-up + {fit['ms_per_item']:g} ms per item "
            f"(R² {fit['r_squared']:g}, largest residual {fit['largest_residual_share']:.0%}); "
            f"{fit['items_ratio']:g}x the items took {fit['seconds_ratio']:g}x the time and "
            f"{fit['memory_ratio']:g}x the peak memory"
        )


def _goals(console: Console, results: dict[str, Any]) -> None:
    table = Table(title="Goals")
    for column in ("goal", "target", "measured", "met"):
        table.add_column(column)
    for goal in evaluate_goals(results):
        met = {True: "[green]yes[/]", False: "[red]no[/]", None: "-"}[goal.met]
        table.add_row(goal.name, goal.target, goal.measured, met)
    console.print(table)
