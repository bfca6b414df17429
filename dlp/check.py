"""`dlp check`: the "Test connection" button. Reach the API, prove the key and workspace, say what a scan covers.

One line per log category and scope and per stateful family: `allowed` (with
how much is there and, for logs, how current it is), `empty`, `forbidden`
(with the permission to grant, admin keys first, the legacy flow second) or
`not served`. Only GET requests are sent: nothing is written or deleted, so
the delete permission is reported as not tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from dlp.config import MAX_LOOKBACK_DAYS, ScanConfig
from dlp.ingest.freshness import max_event_times
from dlp.ingest.conversations import iter_conversation_pages
from dlp.ingest.http import (
    ApiError,
    AuthError,
    ComplianceClient,
    GoneError,
    NotFoundError,
    ScopeError,
)
from dlp.ingest.library import iter_library_files
from dlp.ingest.logs import LogCursor, LogFile, LogScope, iso, list_log_files
from dlp.ingest.permissions import advice
from dlp.ingest.scope import Scope
from dlp.ingest.stateful import GPTS, PROJECTS, Family, User, list_gpts, list_users

MAX_FILES = 300  # log files counted per category (three listing pages)


@dataclass
class CheckResult:
    ok: bool = True
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (status, what, detail)

    def add(self, status: str, what: str, detail: str) -> None:
        self.lines.append((status, what, detail))
        if status == "FAIL":
            self.ok = False


async def run_check(config: ScanConfig, client: ComplianceClient, *, max_files: int = MAX_FILES) -> CheckResult:
    result = CheckResult()
    scope = Scope.from_config(config.scope)
    forbidden: list[str] = []
    result.add("ok", "key", f"using key {client.masked_key} against {config.api.url}")
    try:
        users = await list_users(client)
    except AuthError as exc:
        result.add("FAIL", "authentication", str(exc))
        return result
    except NotFoundError:
        result.add("FAIL", "workspace", _unknown_workspace(client, "answered 404"))
        return result
    except ScopeError as exc:
        users = None
        forbidden.append("users")
        result.add("FAIL", "users", _forbidden("workspace", exc))
    except ApiError as exc:
        result.add("FAIL", "reach the API", str(exc))
        return result
    else:
        in_scope = [u for u in users if scope.user_in_scope(u.id, u.email)]
        detail = f"allowed (workspace {client.workspace_id}): {len(users)} users, {len(in_scope)} in scope"
        result.add("ok", "users", detail)
        if users and not in_scope:
            result.add("warn", "user scope", "scope.users selects none of the workspace's users: a scan reads no "
                       "conversation (check include, exclude, email_regex and include_file)")  # fmt: skip

    readable = await _check_logs(config, client, result, forbidden, max_files)
    readable += await _check_families(config, client, result, forbidden, scope, users)
    if forbidden and not readable and users is None:
        result.add("FAIL", "workspace", _unknown_workspace(client, "answered 403 to every call"))
    result.add("info", "delete permission", "not tested: dlp check sends no write or delete (deleting is only "
                                            "needed for remediation, never for scanning)")
    if forbidden:
        admin, legacy = advice(next((f for f in forbidden if f.startswith("logs:")), forbidden[0]))
        result.add("info", "how to grant", f"{len(forbidden)} forbidden ({', '.join(forbidden)}). {admin}")
        result.add("info", "legacy keys", legacy)
    return result


def _forbidden(scope: str, exc: ScopeError) -> str:
    return f"forbidden ({scope} scope, HTTP 403): the key needs {exc.permission or 'a read permission'}"


def _unknown_workspace(client: ComplianceClient, what: str) -> str:
    return (
        f"workspace {client.workspace_id} was not found or the key is not authorized for it ({what}): check "
        "api.workspace_id (the workspace UUID from the ChatGPT Enterprise admin console; an org-… id is an "
        "API-platform organization, set it as api.organization_id), or the key's permissions"
    )


async def _check_logs(
    config: ScanConfig, client: ComplianceClient, result: CheckResult, forbidden: list[str], max_files: int
) -> int:
    """A line per log category and scope; returns how many were readable."""
    lookback = min(config.ingest.lookback_days, MAX_LOOKBACK_DAYS)
    since = iso(datetime.now(timezone.utc) - timedelta(days=lookback))
    scopes = [LogScope.WORKSPACE] + ([LogScope.ORGANIZATION] if client.organization_id else [])
    plan = [(t, s) for t in dict.fromkeys(config.ingest.event_types) for s in scopes]
    plan += [(t, LogScope.ORGANIZATION) for t in config.ingest.organization_event_types
             if client.organization_id and t not in config.ingest.event_types]  # fmt: skip
    readable: dict[LogScope, list[str]] = {}
    lines: dict[tuple[str, LogScope], int] = {}
    for event_type, log_scope in plan:
        what = f"logs {event_type}" + (" (organization)" if log_scope is LogScope.ORGANIZATION else "")
        files: list[LogFile] = []
        try:
            async for entry in list_log_files(client, event_type, LogCursor(since), log_scope):
                if isinstance(entry, LogFile):
                    files.append(entry)
                    if len(files) >= max_files:
                        break
        except AuthError as exc:
            result.add("FAIL", what, str(exc))
            continue
        except ScopeError as exc:
            forbidden.append(log_scope.stream(event_type))
            result.add("FAIL", what, _forbidden(log_scope.value, exc))
            continue
        except (ApiError, GoneError) as exc:
            status = getattr(exc, "status", None)
            if status in (400, 404, 410, 422):
                result.add("info", what, f"not served at {log_scope.value} scope (HTTP {status}): {exc}")
            else:
                result.add("FAIL", what, str(exc))
            continue
        readable.setdefault(log_scope, []).append(event_type)
        more = "+" if len(files) >= max_files else ""
        if not files:
            detail = f"empty ({log_scope.value} scope): no log files in the last {lookback} days"
        else:
            ends = sorted(f.end_time for f in files if f.end_time)
            detail = f"allowed ({log_scope.value} scope): {len(files)}{more} log files in the last {lookback} days"
            if ends:
                detail += f" (oldest ends {ends[0]}, newest {ends[-1]})"
        lines[(event_type, log_scope)] = len(result.lines)
        result.add("ok", what, detail)
    now = datetime.now(timezone.utc)
    for log_scope, event_types in readable.items():
        try:
            times = await max_event_times(client, event_types, log_scope)
        except ApiError:
            continue
        for event_type, freshness in times.items():
            index = lines[(event_type, log_scope)]
            status, what, detail = result.lines[index]
            result.lines[index] = (status, what, f"{detail}; {freshness.describe(now)}")
    return sum(len(v) for v in readable.values())


async def _check_families(
    config: ScanConfig, client: ComplianceClient, result: CheckResult, forbidden: list[str], scope: Scope,
    users: list[User] | None,
) -> int:  # fmt: skip
    """A line per stateful family the scan reads; returns how many were readable."""
    readable = 0
    families: list[Family] = [f for f, on in ((GPTS, config.ingest.gpts), (PROJECTS, config.ingest.projects)) if on]
    for family in families:
        what = "GPTs" if family is GPTS else "projects"
        try:
            found = [g async for g in list_gpts(client, family)]
        except ScopeError as exc:
            forbidden.append(family.path)
            result.add("FAIL", what, _forbidden("workspace", exc))
            continue
        except (NotFoundError, GoneError) as exc:
            result.add("info", what, f"not served: {exc}")
            continue
        except ApiError as exc:
            result.add("FAIL", what, str(exc))
            continue
        readable += 1
        covered = sum(1 for g in found if scope.gpt_in_scope(g.id, g.name)) if family is GPTS else len(found)
        state = "allowed" if found else "empty"
        result.add("ok", what, f"{state}: {len(found)} {what}, {covered} in scope (configs and files are scanned)")
        if family is GPTS and found and not covered:
            result.add("warn", "GPT scope", "scope.gpts selects none of the workspace's GPTs: no GPT config, "
                       "knowledge file or GPT conversation is scanned (check include, exclude and name_regex)")  # fmt: skip
    if config.ingest.library_files and config.ingest.files:
        probe = next((u for u in users or [] if scope.user_in_scope(u.id, u.email)), None)
        if probe is None:
            result.add("info", "library files", "not probed: no user in scope to ask for")
        else:
            try:
                entries = [e async for e in iter_library_files(client, probe.id)]
            except ScopeError as exc:
                forbidden.append("library_files")
                result.add("FAIL", "library files", _forbidden("workspace", exc))
            except (NotFoundError, GoneError) as exc:
                result.add("info", "library files", f"not served: {exc}")
            except ApiError as exc:
                result.add("FAIL", "library files", str(exc))
            else:
                readable += 1
                result.add("ok", "library files", f"allowed: {len(entries)} files for {probe.email or probe.id} "
                                                  "(each in-scope user's uploads are read)")
    if config.ingest.conversations_fallback:
        try:
            async for page in iter_conversation_pages(client, None, limit=1):
                result.add("ok", "conversations", f"served (the deprecated listing still answers; {len(page)}+ "
                                                  "conversations are read as well)")
                readable += 1
                break
        except (NotFoundError, GoneError, ScopeError) as exc:
            result.add("info", "conversations", f"not served (HTTP {exc.status}): the deprecated listing is gone; "
                                                "conversation text comes from CONVERSATION_MESSAGE logs")
        except ApiError as exc:
            result.add("info", "conversations", f"not read: {exc}")
    return readable
