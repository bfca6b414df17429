"""Loading the NER pipeline: spaCy plugins (packages that declare `spacy_factories`) are imported only when
the model needs one of their components. Each case runs in a fresh interpreter, because spaCy reads the
installed entry points once per process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from detectors.ner import DEFAULT_NER_MODEL

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, *extra_paths: Path) -> dict[str, object]:
    """Run `code` in a new interpreter (the project and `extra_paths` importable); it prints one JSON line."""
    prelude = f"import sys; sys.path[:0] = {[str(ROOT), *map(str, extra_paths)]!r}\n"
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_plugin(folder: Path) -> None:
    """An installed spaCy plugin as pip leaves one: a module and a dist-info whose entry point names a
    factory. Importing the module leaves a mark in `sys.modules`; its component passes docs through."""
    (folder / "dlp_test_spacy_plugin.py").write_text(textwrap.dedent("""
        from spacy.language import Language

        @Language.factory("dlp_test_passthrough")
        def make_passthrough(nlp, name):
            return lambda doc: doc
    """))
    info = folder / "dlp_test_spacy_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dlp-test-spacy-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[spacy_factories]\ndlp_test_passthrough = dlp_test_spacy_plugin:make_passthrough\n")


def test_loading_the_default_model_imports_no_spacy_plugin(tmp_path: Path) -> None:
    write_plugin(tmp_path)
    seen = run_python(f"""
        import json, spacy.util
        from detectors.ner import load_ner_pipeline
        nlp = load_ner_pipeline({DEFAULT_NER_MODEL!r})
        doc = nlp("Yesterday Quorinth Vaxley flew to Lisbon.")
        print(json.dumps({{
            "plugin_imported": "dlp_test_spacy_plugin" in sys.modules,
            "presidio_imported": "presidio_analyzer" in sys.modules,
            "flag_restored": spacy.util.registry._entry_point_factories.entry_points,
            "entities": [[e.text, e.label_] for e in doc.ents],
        }}))
    """, tmp_path)
    assert seen["plugin_imported"] is False
    assert seen["presidio_imported"] is False  # presidio-analyzer (a test dependency) declares a spaCy factory
    assert seen["flag_restored"] is True
    assert ["Quorinth Vaxley", "PERSON"] in seen["entities"]


def test_a_model_that_names_a_plugin_component_loads_with_the_plugin(tmp_path: Path) -> None:
    write_plugin(tmp_path)
    model = tmp_path / "model"
    # a pipeline whose "transformer" component (one NER may listen to) comes from the plugin
    run_python(f"""
        import json, spacy
        import dlp_test_spacy_plugin
        nlp = spacy.blank("en")
        nlp.add_pipe("dlp_test_passthrough", name="transformer")
        nlp.add_pipe("ner").add_label("PERSON")
        nlp.initialize()
        nlp.to_disk({str(model)!r})
        print(json.dumps({{"pipes": nlp.pipe_names}}))
    """, tmp_path)
    seen = run_python(f"""
        import json, spacy.util
        from detectors.ner import load_ner_pipeline
        nlp = load_ner_pipeline({str(model)!r})
        nlp("A sentence for the pipeline.")
        print(json.dumps({{
            "pipes": nlp.pipe_names,
            "plugin_imported": "dlp_test_spacy_plugin" in sys.modules,
            "flag_restored": spacy.util.registry._entry_point_factories.entry_points,
        }}))
    """, tmp_path)
    assert seen == {"pipes": ["transformer", "ner"], "plugin_imported": True, "flag_restored": True}
