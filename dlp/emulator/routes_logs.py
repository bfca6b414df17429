"""Logs Platform endpoints: list log files, download one (307 to a signed URL), and the freshness route.

The event type enum is open ("etc." in N2): a well-formed type the emulator
does not generate lists as empty. `after` is strictly later by default (N1),
inclusive with `logs_after_inclusive` (S9's comment).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from starlette.responses import JSONResponse, RedirectResponse, Response

from dlp.emulator.endpoint import Context, Endpoint
from dlp.emulator.errors import ApiProblem, ValidationProblem
from dlp.emulator.events import iso
from dlp.emulator.logstore import (
    ORGANIZATION_EVENT_TYPES,
    WORKSPACE_EVENT_TYPES,
    LogFile,
)

MAX_LIMIT = 100


def parse_time(name: str, raw: str) -> datetime:
    """ISO-8601 with a timezone; a naive time is read as UTC (some clients strip the Z)."""
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ValidationProblem(name, "Input should be a valid datetime", "datetime_from_date_parsing") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


_TYPE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _event_types(context: Context, organization: bool) -> list[str]:
    requested = context.request.query_params.getlist("event_type")
    if not requested:
        raise ValidationProblem("event_type", "Field required", "missing")
    for event_type in requested:
        if not _TYPE_NAME.match(event_type):
            raise ValidationProblem("event_type", "Input should be an upper-case event type name", "enum")
        if organization and event_type in WORKSPACE_EVENT_TYPES:
            raise ApiProblem(400, f"{event_type} is a workspace-scoped event type. Use "
                                  f"/v1/compliance/workspaces/{{workspace_id}}/logs instead.", "invalid_event_type",
                             "event_type")
        if not organization and event_type in ORGANIZATION_EVENT_TYPES:
            raise ApiProblem(400, f"{event_type} is an organization-scoped event type. Use "
                                  f"/v1/compliance/organizations/{{organization_id}}/logs instead.",
                             "invalid_event_type", "event_type")
    wanted = list(dict.fromkeys(requested))
    context.require_logs(wanted)
    return wanted


def _describe(context: Context, log_file: LogFile) -> dict:
    logs = context.state.logs
    size, _ = logs.size_and_sha256(log_file)
    return {"id": log_file.id, "event_type": log_file.event_type, "end_time": iso(log_file.end_time),
            "file_name": log_file.file_name, "file_size": size, "file_sha256": logs.listed_sha256(log_file)}


def _list_handler(organization: bool):
    async def list_logs(context: Context) -> Response:
        event_types = _event_types(context, organization)
        raw_after = context.query("after")
        if raw_after is None:
            raise ValidationProblem("after", "Field required", "missing")
        after = parse_time("after", raw_after)
        raw_before = context.query("before")
        before = parse_time("before", raw_before) if raw_before is not None else None
        limit = context.int_param("limit", MAX_LIMIT, MAX_LIMIT)
        page: list[LogFile] = []
        has_more = False
        inclusive = context.state.settings.logs_after_inclusive
        for event_type in event_types:
            files, more = context.state.logs.list_files(event_type, after, before, limit, context.now, inclusive)
            page.extend(files)
            has_more = has_more or more
        page.sort(key=lambda f: f.end_time)
        if len(page) > limit:
            page, has_more = page[:limit], True
        faults = context.state.settings.faults
        # A short page keeps at least two files: with an inclusive `after` the first one may be the boundary
        # file again, and a client following last_end_time must still make progress.
        if faults.short_page_rate and len(page) > 2 and context.state.roll() < faults.short_page_rate:
            page, has_more = page[: context.state.randint(2, len(page) - 1)], True
        data = [_describe(context, f) for f in page]
        return JSONResponse({"data": data, "has_more": has_more,
                             "last_end_time": data[-1]["end_time"] if data else None})

    return list_logs


def _download_handler(organization: bool):
    async def download_log(context: Context) -> Response:
        file_id = context.request.path_params["log_file_id"]
        log_file = context.state.logs.get_visible(file_id, context.now)
        if log_file is None or (log_file.event_type in ORGANIZATION_EVENT_TYPES) != organization:
            raise ApiProblem(404, f"Log file {file_id} not found.", "not_found")
        context.require_logs([log_file.event_type])
        ttl = timedelta(seconds=context.state.settings.redirect_ttl_seconds)
        url = context.state.signer.url(context.base_url(), "log", log_file.id, log_file.file_name, context.now, ttl)
        return RedirectResponse(url, status_code=307)

    return download_log


def _freshness_handler(organization: bool):
    async def max_event_time(context: Context) -> Response:
        event_types = _event_types(context, organization)
        times = {t: context.state.logs.max_event_time(t, context.now) for t in event_types}
        return JSONResponse({"max_event_time": {t: iso(v) if v else None for t, v in times.items()}})

    return max_event_time


def endpoints() -> list[Endpoint]:
    out = []
    for organization in (False, True):
        prefix = "ORGANIZATION" if organization else "WORKSPACE"
        out.append(Endpoint("GET", "/logs", "read", "logs", f"LIST_{prefix}_LOG_FILES",
                            _list_handler(organization), organization))
        # Before /logs/{log_file_id}, which would take "max_event_time" for a file id. Both paths are served:
        # compliance-api.md names /logs/max_event_time, N1's transcription /max_event_time.
        for template in ("/logs/max_event_time", "/max_event_time"):
            out.append(Endpoint("GET", template, "read", "logs", f"GET_{prefix}_LOG_FRESHNESS",
                                _freshness_handler(organization), organization))
        out.append(Endpoint("GET", "/logs/{log_file_id}", "read", "logs", f"DOWNLOAD_{prefix}_LOG_FILE",
                            _download_handler(organization), organization))
    return out
