"""File content: the 307 endpoints, file deletes, each user's library listing, and the signed blob URLs."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from dlp.emulator.endpoint import Context, Endpoint
from dlp.emulator.errors import ApiProblem, api_error
from dlp.emulator.model import StoredFile
from dlp.emulator.state import EmulatorState


def _redirect(context: Context, stored: StoredFile, kind: str) -> Response:
    ttl = timedelta(seconds=context.state.settings.redirect_ttl_seconds)
    url = context.state.signer.url(context.base_url(), kind, stored.id, stored.name, context.now, ttl)
    return RedirectResponse(url, status_code=307)


def _deleted(object_id: str, obj: str) -> JSONResponse:
    return JSONResponse({"id": object_id, "object": obj, "deleted": True})


def _user_file(context: Context) -> StoredFile:
    params = context.request.path_params
    stored = context.state.workspace.files.get(params["file_id"])
    if (stored is None or stored.owner_kind != "user" or stored.owner_id != params["user_id"]
            or stored.id in context.state.deletions.user_files):
        raise ApiProblem(404, f"File {params['file_id']} not found for user {params['user_id']}.", "not_found")
    return stored


async def get_user_file(context: Context) -> Response:
    stored = _user_file(context)
    if context.state.upload_expired(stored, context.now):
        raise ApiProblem(410, f"File {stored.id} has expired: chat uploads are retained for "
                              f"{context.state.settings.upload_retention_hours} hours.", "file_expired")
    return _redirect(context, stored, "upload")


async def delete_user_file(context: Context) -> Response:
    stored = _user_file(context)
    context.state.deletions.user_files.add(stored.id)
    return _deleted(stored.id, "compliance.workspace.user.file")


def _assistant_file_getter(kind: str):
    async def get_assistant_file(context: Context) -> Response:
        file_id = context.request.path_params["file_id"]
        stored = context.state.workspace.files.get(file_id)
        deletions = context.state.deletions
        if (stored is None or stored.owner_kind != kind or file_id in deletions.assistant_files
                or stored.owner_id in deletions.assistants):
            raise ApiProblem(404, f"File {file_id} not found.", "not_found")
        return _redirect(context, stored, kind)

    return get_assistant_file


LIBRARY_LIMIT = 200


async def list_library_files(context: Context) -> Response:
    """`GET users/{user_id}/library_files`: the user's uploads, oldest first, paged by an opaque `cursor` (N1)."""
    user_id = context.request.path_params["user_id"]
    workspace = context.state.workspace
    if user_id not in workspace.user_by_id:
        raise ApiProblem(404, f"User {user_id} not found.", "not_found")
    limit = context.int_param("limit", LIBRARY_LIMIT, LIBRARY_LIMIT)
    files = [f for f in workspace.library.get(user_id, []) if f.id not in context.state.deletions.user_files]
    cursor = context.query("cursor")
    start = 0
    if cursor:
        ids = [f.id for f in files]
        if cursor not in ids:
            raise ApiProblem(400, "Invalid cursor.", "invalid_cursor", "cursor")
        start = ids.index(cursor) + 1
    page = files[start:start + limit]
    has_more = start + limit < len(files)
    data = [{"id": f.id, "name": f.name, "mime_type": f.mime_type, "state": "active",
             "created_at": round(f.created_at.timestamp(), 6), "trashed_at": None, "is_project": False}
            for f in page]
    return JSONResponse({"object": "list", "data": data, "has_more": has_more,
                         "cursor": page[-1].id if page and has_more else None})


def endpoints() -> list[Endpoint]:
    return [
        Endpoint("GET", "/users/{user_id}/files/{file_id}", "read", "item", "DOWNLOAD_USER_FILE", get_user_file,
                 family="files"),
        Endpoint("DELETE", "/users/{user_id}/files/{file_id}", "delete", "item", "DELETE_USER_FILE",
                 delete_user_file, family="files"),
        Endpoint("GET", "/users/{user_id}/library_files", "read", "item", "LIST_USER_LIBRARY_FILES",
                 list_library_files, family="library_files"),
        Endpoint("GET", "/gpt_files/{file_id}", "read", "item", "DOWNLOAD_GPT_FILE", _assistant_file_getter("gpt"),
                 family="files"),
        Endpoint("GET", "/project_files/{file_id}", "read", "item", "DOWNLOAD_PROJECT_FILE",
                 _assistant_file_getter("project"), family="files"),
    ]


class TruncatedResponse(Response):
    """Declares the full Content-Length, sends half the body, then ends: the client sees a cut connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True})
        raise TruncatedBody("truncated on purpose by the emulator's truncated_body_rate fault")


class TruncatedBody(Exception):
    pass


def blob_route(state: EmulatorState) -> Route:
    """GET /_blob/{kind}/{object_id}?se=&sp=&rscd=&sig= : the bytes, without any Authorization header."""

    async def blob(request: Request) -> Response:
        kind, object_id = request.path_params["kind"], request.path_params["object_id"]
        style = state.settings.error_style
        verdict = state.signer.verify(kind, object_id, dict(request.query_params), state.clock.now())
        if isinstance(verdict, str):
            message = {"expired": "Signed URL has expired.", "used": "Signed URL has already been used.",
                       "invalid": "Signature did not match."}[verdict]
            return api_error(403, message, "authentication_failed", style)
        if kind == "log":
            log_file = state.logs.get_visible(object_id, state.clock.now())
            if log_file is None:
                return api_error(404, "The specified blob does not exist.", "blob_not_found", style)
            body, media_type = state.logs.file_bytes(log_file), "application/x-ndjson"
        else:
            stored = state.workspace.files.get(object_id)
            if stored is None or object_id in state.deletions.user_files | state.deletions.assistant_files:
                return api_error(404, "The specified blob does not exist.", "blob_not_found", style)
            body, media_type = state.workspace.file_bytes(object_id), stored.mime_type
        headers = {"Content-Disposition": verdict.disposition, "Cache-Control": "max-age=299, private"}
        faults = state.settings.faults
        if faults.truncated_body_rate and state.roll() < faults.truncated_body_rate:
            return TruncatedResponse(body, media_type=media_type, headers=headers)
        return Response(body, media_type=media_type, headers=headers)

    return Route("/_blob/{kind}/{object_id}", blob, methods=["GET"], name="blob")
