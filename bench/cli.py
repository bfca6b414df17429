"""`python -m bench`: run the benchmarks, print the tables, write the JSON file.

python -m bench                         # the default run (demo x4 corpus, 3 rounds, every section)
python -m bench --skip rate_limited     # no real-time rate-limit window
python -m bench --only rate_budget      # a long default scan at the documented limits, on a fake clock
python -m bench --only detection --factor 16 --rounds 5
python -m bench --only person_heldout   # PERSON on names the word lists lack (bench/heldout.py)
python -m bench --only documents        # our engine on long documents by density of values (no Presidio)
python -m bench --only external         # default and full policies vs Presidio on ../shared/corpora (bench/external.py)
python -m bench --only presidio_entities  # every entity Presidio reports, on our own sentences (bench/presidio_entities.py)
python -m bench --tiny                  # seconds-scale smoke run (what tests/bench runs)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from bench.documents import DOCUMENT_CHARS, DOCUMENTS_MB
from bench.external import ENGINES as EXTERNAL_ENGINES
from bench.external import ENV_VAR as EXTERNAL_ENV
from bench.heldout import DEFAULT_TEXTS as HELDOUT_TEXTS
from bench.report import print_report, write_json
from bench.run import SECTIONS, BenchSettings, command_line, run_benchmarks
from bench.scaling import DEFAULT_FACTORS
from detectors.engine import DEFAULT_NER_MODEL, EngineSpec

DEFAULT_OUTPUT = "bench-results.json"
# --tiny: everything runs, on a corpus and files small enough for a smoke test
# (the end-to-end scan is the scaling run at 2x, so three scans run in all)
TINY = {
    "factor": 0.25,
    "rounds": 1,
    "presidio_rounds": 1,
    "processes": 1,
    "workers": 0,
    "extraction_scale": 0.005,
    "rate_window_seconds": 2.0,
    "scaling_base": 0.125,
    "scaling_factors": (1.0, 2.0),
    "heldout_texts": 60,
    "document_chars": 16_000,
    "documents_mb": 0.064,
}
WIDE_OUTPUT = 170  # columns for the tables when the output is not a terminal (a file, CI log)


def _section(name: str) -> str:
    return name.replace("-", "_")  # --only person-heldout == --only person_heldout


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument(
        "--preset",
        default="demo",
        choices=("demo", "medium", "large"),
        help="generator preset the corpus is scaled from (default demo)",
    )
    parser.add_argument(
        "--factor",
        type=float,
        default=4.0,
        help="detection corpus and end-to-end workspace = preset x factor (default 4)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="timing rounds of our engine, NER and extraction (default 3)"
    )
    parser.add_argument("--presidio-rounds", type=int, default=3, help="timing rounds of Presidio (default 3)")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="'all cores' of the NER comparison (default: this machine's cores)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="inspector processes of the end-to-end scans (default min(4, cores))",
    )
    parser.add_argument(
        "--only",
        action="append",
        type=_section,
        choices=SECTIONS,
        help="run only this section (repeatable); detection includes documents unless --skip documents",
    )
    parser.add_argument(
        "--skip", action="append", type=_section, choices=SECTIONS, default=[], help="skip this section (repeatable)"
    )
    parser.add_argument(
        "--extraction-scale",
        type=float,
        default=0.25,
        help="file sizes as a share of bench/extract_bench.py's (default 0.25)",
    )
    parser.add_argument(
        "--rate-window",
        type=float,
        default=60.0,
        help="seconds of real time the rate-limited scan runs after its first request (default 60)",
    )
    parser.add_argument(
        "--scaling-base", type=float, default=1.0, help="scaling runs at preset x base x each factor (default 1)"
    )
    parser.add_argument(
        "--scaling-factors",
        default=",".join(f"{f:g}" for f in DEFAULT_FACTORS),
        help="comma-separated scale factors (default 1,4,16)",
    )
    parser.add_argument(
        "--heldout-texts",
        type=int,
        default=HELDOUT_TEXTS,
        help=f"texts of the PERSON held-out-names corpus (default {HELDOUT_TEXTS})",
    )
    parser.add_argument(
        "--document-chars",
        type=int,
        default=DOCUMENT_CHARS,
        help=f"documents section: characters per document (default {DOCUMENT_CHARS:,})",
    )
    parser.add_argument(
        "--documents-mb",
        type=float,
        default=DOCUMENTS_MB,
        help=f"documents section: MB of documents per density (default {DOCUMENTS_MB:g})",
    )
    parser.add_argument(
        "--rules", action="append", default=[], help="a rule file or directory instead of the built-in packs"
    )
    parser.add_argument("--policy", help="a policy name (default, full) or file instead of the default policy")
    parser.add_argument(
        "--external-corpora",
        help=f"external section: the corpus folder (default ${EXTERNAL_ENV}, else ../shared/corpora)",
    )
    parser.add_argument(
        "--external-engines",
        default=",".join(EXTERNAL_ENGINES),
        help=f"external section: comma-separated engines of {', '.join(EXTERNAL_ENGINES)}",
    )
    parser.add_argument(
        "--ner-model", default=DEFAULT_NER_MODEL, help="spaCy model for our NER, plain spaCy and Presidio"
    )
    parser.add_argument("--tiny", action="store_true", help="smoke scale: every section in well under a minute of work")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help=f"JSON results file (default {DEFAULT_OUTPUT})")
    return parser


def settings_from_args(args: argparse.Namespace) -> BenchSettings:
    # --tiny is a smoke run: the external corpora (minutes of Presidio) run only when asked for by name
    only = list(args.only or (s for s in SECTIONS if not (args.tiny and s in ("external", "presidio_entities"))))
    if "detection" in only and "documents" not in only:
        only.append("documents")  # the documents measurement is part of the detection section
    sections = tuple(s for s in SECTIONS if s in only and s not in args.skip)
    try:
        factors = tuple(float(f) for f in args.scaling_factors.split(",") if f.strip())
    except ValueError:
        raise SystemExit(
            f"--scaling-factors: not a comma-separated list of numbers: {args.scaling_factors!r}"
        ) from None
    values: dict[str, object] = {
        "seed": args.seed, "preset": args.preset, "factor": args.factor, "rounds": args.rounds,
        "presidio_rounds": args.presidio_rounds, "processes": args.processes, "workers": args.workers,
        "sections": sections, "extraction_scale": args.extraction_scale, "rate_window_seconds": args.rate_window,
        "scaling_base": args.scaling_base, "scaling_factors": factors, "heldout_texts": args.heldout_texts,
        "document_chars": args.document_chars, "documents_mb": args.documents_mb,
        "engine": EngineSpec(rule_paths=tuple(args.rules), policy_path=args.policy, ner_model=args.ner_model),
        "external_corpora": args.external_corpora,
        "external_engines": tuple(e.strip() for e in args.external_engines.split(",") if e.strip()),
    }  # fmt: skip
    if args.tiny:
        values.update(TINY)
    try:
        return BenchSettings(**values)  # type: ignore[arg-type]
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    settings = settings_from_args(args)
    console = Console(width=None if sys.stdout.isatty() else WIDE_OUTPUT)
    errors = Console(stderr=True)
    results = run_benchmarks(settings, command_line(argv), progress=lambda m: errors.print(f"[dim]... {m}[/]"))
    print_report(results, console)
    path = write_json(results, Path(args.output))
    console.print(f"results written to {path} ({results['seconds']:.0f} s)")
    return 0
