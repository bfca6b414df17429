"""A small findings database with every kind of item, shared by the export, alert and triage tests.

Times are fixed after the commits, so exports of it are byte-for-byte the same on every run.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from dlp.records import Finding, Item, ItemKind
from dlp.store.db import Batch, ItemRecord, Store

WORKSPACE = "ws-0001"
FOUND_AT = datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc)
CREATED_AT = datetime(2026, 7, 15, 11, 30, tzinfo=timezone.utc)


def finding(fid: str, **kw) -> Finding:
    base = dict(
        finding_id=fid, scan_id="scan-1", rule_id="email-address", entity="EMAIL_ADDRESS", severity="medium",
        score=0.85, likelihood="VERY_LIKELY", detector="regex", item_id="msg:m1", item_kind="message",
        workspace_id=WORKSPACE, location="", start=10, end=27, snippet="mail me at ****************** today",
        fingerprint=fid[0] * 64, user_id="user-1", user_email="alice@example.com", conversation_id="conv-1",
        message_id="m1", item_created_at=CREATED_AT,
    )  # fmt: skip
    base.update(kw)
    return Finding(**base)


FINDINGS = (
    finding("a" * 32),
    finding(
        "b" * 32, rule_id="credit-card", entity="CREDIT_CARD", severity="high", score=0.95, item_id="file:f1",
        item_kind="attachment", file_id="f1", file_name="payroll.xlsx", location="Pay!C4", start=0, end=19,
        snippet="**************1111", tags=("luhn",),
    ),  # fmt: skip
    finding(
        "c" * 32, rule_id="openai-api-key", entity="SECRET", severity="critical", score=0.99, item_id="gpt:g1:v2",
        item_kind="gpt_config", gpt_id="g-1", conversation_id=None, message_id=None, location="instructions",
        start=5, end=56, snippet="key: ************************************abcd", user_id="user-2",
        user_email="bob@example.com", item_created_at=None,
    ),  # fmt: skip
    finding(
        "d" * 32, rule_id="us-ssn", entity="US_SSN", severity="critical", score=0.9, likelihood="LIKELY",
        item_id="file:f2", item_kind="project_file", project_id="proj-1", file_id="f2", file_name="hr.pdf",
        conversation_id=None, message_id=None, location="page 2", snippet="SSN ***-**-**** on file", decoded=True,
        tags=("decoded:base64", "context"),
    ),  # fmt: skip
)


def build(db: Path, findings=FINDINGS, *, routes=()) -> None:
    """Commit `findings` in one scan and pin their times."""
    with Store(db) as store:
        if routes:
            store.load_alert_routes(routes)
        store.upsert_gpts([("g-1", "Support bot", "user-2", "bob@example.com", "workspace", True)])
        store.upsert_projects([("proj-1", "HR onboarding", "user-3", "carol@example.com", "private", True)])
        store.start_scan("scan-1", api_url="http://emulator", workspace_id=WORKSPACE, mode="forward")
        items = {f.item_id: Item(item_id=f.item_id, kind=ItemKind(f.item_kind), workspace_id=WORKSPACE, source="t") for f in findings}
        store.commit("scan-1", Batch(items=[ItemRecord(i, 100, 1) for i in items.values()], findings=list(findings)))
        store.con.execute("UPDATE findings SET found_at = ?", [FOUND_AT])
