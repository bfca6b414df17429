"""OCSF 1.4.0 Data Security Finding (class 2006) events, one JSON object per line.

The fields a SIEM indexes: `time`, `severity_id`, `finding_info.uid` (the finding id),
`data_security` (rule as detection pattern, entity as classifier, masked snippet as pattern match),
`metadata.correlation_uid` (the value's keyed fingerprint, which links findings of one value),
`actor.user` (email and id), `resources` (the conversation, GPT, project or file, with its name
and link) and `status_id` (the triage state). ChatGPT Enterprise is `metadata.product`, the system
the data was found in; this engine is `finding_info.product`, the one that reported it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, BinaryIO

from dlp import __version__
from dlp.export.records import Record, epoch_ms

OCSF_VERSION = "1.4.0"
CLASS_UID = 2006
CATEGORY_UID = 2  # Findings
ACTIVITY_CREATE = 1

SEVERITY_IDS = {"low": 2, "medium": 3, "high": 4, "critical": 5}
CONFIDENCE_IDS = {"VERY_UNLIKELY": 1, "UNLIKELY": 1, "POSSIBLE": 2, "LIKELY": 3, "VERY_LIKELY": 3}
# triage state -> finding status (1 New, 3 Suppressed, 4 Resolved, 99 Other)
STATUS = {
    "open": (1, "New"),
    "false_positive": (3, "Suppressed"),
    "accepted_risk": (99, "Accepted Risk"),
    "resolved": (4, "Resolved"),
}
# data_security.category_id: 1 Personal, 3 Financial, 4 Business, 6 Security
_FINANCIAL = {"CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "ABA_ROUTING_NUMBER", "SWIFT_CODE", "CRYPTO"}
_CATEGORIES = {"SECRET": (6, "Security"), "CONFIDENTIAL_DOCUMENT": (4, "Business")}
# Content at rest in a GPT or project (configs, knowledge files) versus content in use in a chat.
_AT_REST = {"gpt_config", "project_config", "knowledge_file", "project_file"}
PRODUCT = {"name": "ChatGPT Enterprise", "vendor_name": "OpenAI", "feature": {"name": "Compliance API"}}
REPORTER = {"name": "dlp-chatgpt", "vendor_name": "dlp-chatgpt", "version": __version__}


def _category(entity: str) -> tuple[int, str]:
    if entity in _FINANCIAL:
        return 3, "Financial"
    return _CATEGORIES.get(entity, (1, "Personal"))


def _resources(r: Record) -> list[dict[str, Any]]:
    resources = []
    for kind, uid, name in (
        ("conversation", r.get("conversation_id"), None),
        ("gpt", r.get("gpt_id"), r.get("gpt_name")),
        ("project", r.get("project_id"), r.get("project_name")),
        ("file", r.get("file_id"), r.get("file_name")),
    ):
        if uid:
            resource: dict[str, Any] = {"type": kind, "uid": uid}
            if name:
                resource["name"] = name
            resources.append(resource)
    if resources:  # where in the item: `page 3`, `Sheet1!B7`, `instructions`
        resources[-1]["data"] = {"item_id": r["item_id"], "item_kind": r["item_kind"], "location": r["location"]}
    return resources


def _article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def event(r: Record) -> dict[str, Any]:
    """One finding as an OCSF Data Security Finding; only the fields that have a value."""
    status_id, status = STATUS.get(r.get("triage_state") or "open", (99, str(r.get("triage_state"))))
    category_id, category = _category(r["entity"])
    severity = r["severity"]
    where = r.get("file_name") or r["item_kind"].replace("_", " ")
    found = epoch_ms(r["found_at"])
    finding_info: dict[str, Any] = {
        "uid": r["finding_id"],
        "title": f"{r['entity']} in {where}",
        "desc": f"{r['entity']} found by rule {r['rule_id']} in {_article(r['item_kind'].replace('_', ' '))}"
        + (f" ({r['location']})" if r.get("location") else ""),
        "types": [r["entity"]],
        "analytic": {"uid": r["rule_id"], "name": r["rule_id"], "type_id": 1, "type": "Rule"},
        "created_time": found,
        "data_sources": ["ChatGPT Enterprise Compliance API"],
        "product": REPORTER,
    }
    if r.get("item_created_at") is not None:
        finding_info["first_seen_time"] = epoch_ms(r["item_created_at"])
    if r.get("link"):
        finding_info["src_url"] = r["link"]
    out: dict[str, Any] = {
        "class_uid": CLASS_UID,
        "class_name": "Data Security Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Data Security Finding: Create",
        "time": found,
        "severity_id": SEVERITY_IDS.get(severity, 99),
        "severity": severity.capitalize(),
        "status_id": status_id,
        "status": status,
        "confidence_id": CONFIDENCE_IDS.get(r["likelihood"], 0),
        "confidence_score": round(float(r["score"]) * 100),
        "is_alert": severity in ("high", "critical"),
        "message": finding_info["desc"],
        "metadata": {
            "version": OCSF_VERSION,
            "product": PRODUCT,
            "uid": r["finding_id"],
            "correlation_uid": r["fingerprint"],
            "tenant_uid": r["workspace_id"],
            "log_name": "dlp findings",
        },
        "finding_info": finding_info,
        "data_security": {
            "category_id": category_id,
            "category": category,
            "classifier_details": {"type": r["detector"], "name": r["entity"], "uid": r["rule_id"]},
            "data_lifecycle_state_id": 1 if r["item_kind"] in _AT_REST else 3,
            "detection_system_id": 10,
            "detection_system": "Application-Level DLP",
            "detection_pattern": r["rule_id"],
            "pattern_match": r["snippet"],
            "policy": {"uid": r["rule_id"], "name": r["rule_id"]},
        },
    }
    if r.get("user_id") or r.get("user_email"):
        user = {k: v for k, v in (("uid", r.get("user_id")), ("email_addr", r.get("user_email"))) if v}
        out["actor"] = {"user": user}
    resources = _resources(r)
    if resources:
        out["resources"] = resources
    if r.get("file_name"):
        out["file"] = {"name": r["file_name"], "type_id": 1, "type": "Regular File"}
        if r.get("file_id"):
            out["file"]["uid"] = r["file_id"]
    if r.get("triage_note") or r.get("triage_by"):
        out["comment"] = f"{r.get('triage_state')} by {r.get('triage_by')}: {r.get('triage_note') or ''}".strip()
    return out


def write(findings: Iterable[Record], out: BinaryIO) -> int:
    count = 0
    for record in findings:
        out.write(json.dumps(event(record), ensure_ascii=False).encode("utf-8") + b"\n")
        count += 1
    return count
