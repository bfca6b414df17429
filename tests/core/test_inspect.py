"""The CPU stage on its own: masked, fingerprinted detections with stable ids; partial files still inspected."""

import dataclasses
import io

import openpyxl

from detectors.engine import EngineSpec
from dlp.extract import ExtractConfig
from dlp.inspect import FileJob, Inspector, InspectorSpec, TextJob
from dlp.records import FileOutcome, ScanContext

CARD = "4111 1111 1111 1111"
SPEC = InspectorSpec(EngineSpec(), ExtractConfig(), b"k" * 32, isolate_files=False)


def test_text_detections_are_masked_fingerprinted_and_stable():
    inspector = Inspector(SPEC)
    job = TextJob("msg:1", (("", f"card {CARD} please"),), ScanContext(kind="message", role="user"))
    (first,) = inspector.inspect_texts([job])
    (again,) = inspector.inspect_texts([job])
    (card,) = [d for d in first.detections if d.entity == "CREDIT_CARD"]
    assert (card.start, card.end) == (5, 5 + len(CARD))
    assert CARD not in card.snippet and card.snippet.endswith("1111 please")
    assert len(card.fingerprint) == 64 and CARD.replace(" ", "") not in card.fingerprint
    assert [d.finding_id for d in first.detections] == [d.finding_id for d in again.detections]


def test_long_texts_are_windowed_and_a_value_on_a_border_is_reported_once():
    spec = dataclasses.replace(SPEC, segment_chars=1_000, segment_overlap=64)
    text = "x " * 490 + f"card {CARD} " + "y " * 600
    (result,) = Inspector(spec).inspect_texts([TextJob("msg:2", (("", text),), ScanContext(kind="message"))])
    cards = [d for d in result.detections if d.entity == "CREDIT_CARD"]
    assert len(cards) == 1 and text[cards[0].start : cards[0].end] == CARD
    assert result.segments > 1


def test_a_truncated_file_is_still_inspected_up_to_its_limit():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Pay"
    sheet.append(["name", "card"])
    sheet.append(["A. Person", CARD])
    for row in range(200):
        sheet.append([f"row {row}", "nothing"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    spec = dataclasses.replace(SPEC, extract=ExtractConfig(max_cells=10))
    result = Inspector(spec).inspect_file(FileJob("file:x", buffer.getvalue(), "pay.xlsx", ScanContext(kind="attachment")))
    assert result.truncated and result.outcome is FileOutcome.SCANNED
    assert [d.location for d in result.detections if d.entity == "CREDIT_CARD"] == ["Pay!B2"]


def test_a_file_with_content_inspected_before_reuses_its_findings(tmp_path):
    import asyncio
    import hashlib

    from dlp.config import ApiConfig, ScanConfig
    from dlp.ingest.http import ComplianceClient
    from dlp.pipeline import Scanner, findings_for
    from dlp.records import FileRef, Item, ItemKind
    from dlp.store.db import Batch, FileRecord, ItemRecord, Store

    data = f"card {CARD}".encode()
    digest = hashlib.sha256(data).hexdigest()

    def upload(file_id: str) -> Item:
        return Item(
            item_id=f"file:{file_id}", kind=ItemKind.ATTACHMENT, workspace_id="ws", source="test", file_id=file_id,
            file_ref=FileRef(file_id=file_id, owner_kind="user", user_id="user-1"),
        )  # fmt: skip

    first = upload("file-A")
    result = Inspector(SPEC).inspect_file(FileJob(first.item_id, data, "a.txt", ScanContext(kind="attachment")))
    with Store(tmp_path / "f.duckdb") as store:
        store.start_scan("s1", api_url="u", workspace_id="ws", mode="forward")
        store.commit("s1", Batch(
            items=[ItemRecord(first, result.chars, len(result.detections))],
            findings=list(findings_for(first, result, "s1")),
            files=[FileRecord("file-A", "scanned", sha256=digest, chars=result.chars, segments=result.segments)],
        ))  # fmt: skip

        async def reuse():
            async with ComplianceClient(ApiConfig(workspace_id="ws"), "sk-test-0000000000000000") as client:
                scanner = Scanner(ScanConfig(), client, pool=None, store=store)  # type: ignore[arg-type]
                return scanner._same_content_as_before(upload("file-B"), data)

        reused = asyncio.run(reuse())
    assert reused is not None and "same content as file-A" in reused.reason
    assert [(d.rule_id, d.start, d.end, d.fingerprint) for d in reused.detections] == [
        (d.rule_id, d.start, d.end, d.fingerprint) for d in result.detections
    ]
    assert not {d.finding_id for d in reused.detections} & {d.finding_id for d in result.detections}


def test_the_cli_module_leaves_the_database_libraries_to_the_commands_that_open_it() -> None:
    """`dlp inspect` starts without duckdb and pyarrow (a third of the CLI's import time): only the commands
    that read or write the findings database import them."""
    import subprocess
    import sys

    probe = "import sys, dlp.cli; print(sorted(m for m in ('duckdb', 'pyarrow') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    # nor does running it: its JSON lines are written without the export package
    probe = ("import sys; from dlp.cli import main; sys.argv = ['dlp', 'inspect', '-']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('duckdb', 'pyarrow') if m in sys.modules), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", probe], input="card 4111 1111 1111 1111\n", capture_output=True,
                            text=True, check=True)
    assert '"CREDIT_CARD"' in result.stdout and result.stderr.strip().splitlines()[-1] == "[]"
