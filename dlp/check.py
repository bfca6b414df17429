"""`dlp check`: the "Test connection" button. Reach the API, prove the key and workspace, say what a scan covers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from dlp.config import MAX_LOOKBACK_DAYS, ScanConfig
from dlp.ingest.http import (
    ApiError,
    AuthError,
    ComplianceClient,
    GoneError,
    NotFoundError,
    ScopeError,
)
from dlp.ingest.logs import LogCursor, iso, list_log_files
from dlp.ingest.scope import Scope
from dlp.ingest.stateful import list_gpts, list_users


@dataclass
class CheckResult:
    ok: bool = True
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (status, what, detail)

    def add(self, status: str, what: str, detail: str) -> None:
        self.lines.append((status, what, detail))
        if status == "FAIL":
            self.ok = False


async def run_check(config: ScanConfig, client: ComplianceClient, *, max_files: int = 1000) -> CheckResult:
    result = CheckResult()
    result.add("ok", "key", f"using key {client.masked_key} against {config.api.url}")
    scope = Scope.from_config(config.scope)
    try:
        users = await list_users(client)
    except AuthError as exc:
        result.add("FAIL", "authentication", str(exc))
        return result
    except ScopeError as exc:
        result.add("FAIL", "read scope", str(exc))
        return result
    except NotFoundError:
        result.add(
            "FAIL", "workspace",
            f"workspace {client.workspace_id} was not found: check api.workspace_id (the workspace UUID "
            "from the ChatGPT Enterprise admin console; an org-… id is an API-platform organization, not a workspace)",
        )  # fmt: skip
        return result
    except ApiError as exc:
        result.add("FAIL", "reach the API", str(exc))
        return result
    in_scope = sum(1 for u in users if scope.user_in_scope(u.id, u.email))
    result.add("ok", "read scope", f"workspace {client.workspace_id}: {len(users)} users, {in_scope} in scope")
    if users and not in_scope:
        result.add("warn", "user scope", "scope.users selects none of the workspace's users: a scan reads no "
                   "conversation (check include, exclude, email_regex and include_file)")  # fmt: skip

    status = await client.delete_status(f"{client.workspace_path}/conversations/{uuid.uuid4()}")
    if status in (403, 401):
        result.add("info", "delete scope", "not granted (only needed for remediation, not for scanning)")
    elif status in (404, 410, 200):
        result.add("ok", "delete scope", "granted (probed with a conversation id that does not exist)")
    else:
        result.add("info", "delete scope", f"unknown (probe answered HTTP {status})")

    lookback = min(config.ingest.lookback_days, MAX_LOOKBACK_DAYS)
    since = iso(datetime.now(timezone.utc) - timedelta(days=lookback))
    for event_type in config.ingest.event_types:
        count = 0
        oldest = newest = None
        try:
            async for log_file in list_log_files(client, event_type, LogCursor(since)):
                count += 1
                oldest = oldest or log_file.end_time
                newest = log_file.end_time
                if count >= max_files:
                    break
        except (ApiError, GoneError) as exc:
            result.add("FAIL", f"logs {event_type}", str(exc))
            continue
        more = "+" if count >= max_files else ""
        detail = f"{count}{more} log files in the last {lookback} days"
        if oldest:
            detail += f" (oldest ends {oldest}, newest {newest})"
        result.add("ok", f"logs {event_type}", detail)

    if config.ingest.gpts:
        try:
            gpts = [g async for g in list_gpts(client)]
            covered = sum(1 for g in gpts if scope.gpt_in_scope(g.id, g.name))
            result.add("ok", "GPTs", f"{len(gpts)} GPTs, {covered} in scope (configs and knowledge files are scanned)")
            if gpts and not covered:
                result.add("warn", "GPT scope", "scope.gpts selects none of the workspace's GPTs: no GPT config, "
                           "knowledge file or GPT conversation is scanned (check include, exclude and name_regex)")  # fmt: skip
        except (NotFoundError, GoneError) as exc:
            result.add("info", "GPTs", f"GPT endpoints unavailable: {exc}")
        except ApiError as exc:
            result.add("FAIL", "GPTs", str(exc))
    return result
