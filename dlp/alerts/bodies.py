"""What a webhook request carries: generic JSON, or a Slack-compatible message.

Both hold masked snippets, keyed fingerprints and a link to the item: never a raw value. The JSON
body's findings are the records of `dlp export --format jsonl`, so a receiver parses one shape.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dlp.export.records import Record, json_value

SLACK_LINES = 20  # Slack truncates long messages; the rest is counted


def json_body(records: Sequence[Record], *, alert_id: str, receiver: str, sent_at: datetime) -> bytes:
    body = {
        "type": "dlp.findings",
        "alert_id": alert_id,  # one per request; each finding's `finding_id` is the key to de-duplicate on
        "receiver": receiver,
        "sent_at": sent_at,
        "count": len(records),
        "findings": list(records),
    }
    return json.dumps(body, default=json_value, ensure_ascii=False).encode("utf-8")


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn control characters; backticks would end the code span around a snippet
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")


def _slack_line(r: Record) -> str:
    where = r.get("file_name") or r["item_kind"].replace("_", " ")
    if r.get("gpt_name"):
        where += f" of GPT {r['gpt_name']}"
    elif r.get("project_name"):
        where += f" of project {r['project_name']}"
    if r.get("location"):
        where += f", {r['location']}"
    where = _slack_escape(where)
    if r.get("link"):
        where = f"<{r['link']}|{where}>"
    who = _slack_escape(r.get("user_email") or r.get("user_id") or "unknown user")
    return (
        f"*{r['severity'].upper()}* {r['entity']} (`{r['rule_id']}`) by {who} in {where}: "
        f"`{_slack_escape(r['snippet'])}` [finding {r['finding_id']}]"
    )


def slack_body(records: Sequence[Record], *, alert_id: str, receiver: str, sent_at: datetime) -> bytes:
    title = f"{len(records)} new DLP finding{'s' if len(records) != 1 else ''} in ChatGPT Enterprise"
    lines = [_slack_line(r) for r in records[:SLACK_LINES]]
    if len(records) > SLACK_LINES:
        lines.append(f"…and {len(records) - SLACK_LINES} more (`dlp query` or the SIEM has them all)")
    text = f"{title}\n" + "\n".join(lines)
    body: dict[str, Any] = {
        "text": text,  # what Slack, Mattermost, Teams-compatible and Rocket.Chat hooks all read
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": title}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:2900]}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"alert {alert_id}"}]},
        ],
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


BODIES = {"json": json_body, "slack": slack_body}
