"""Error responses in the shapes the reference gives (and the configurable FastAPI-style alternative)."""

from __future__ import annotations

from starlette.responses import JSONResponse

_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 403: "insufficient_permissions",
          404: "invalid_request_error", 405: "invalid_request_error", 410: "invalid_request_error",
          429: "rate_limit_exceeded", 500: "server_error", 502: "server_error", 503: "server_error"}


def api_error(status: int, message: str, code: str, style: str = "openai", param: str | None = None,
              headers: dict[str, str] | None = None) -> JSONResponse:
    """401/403/404/410/429/5xx: {"error": {message, type, param, code}} (or {"detail": message})."""
    if style == "detail":
        body: dict = {"detail": message}
    else:
        body = {"error": {"message": message, "type": _TYPES.get(status, "invalid_request_error"),
                          "param": param, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def validation_error(param: str, message: str, kind: str, location: str = "query") -> JSONResponse:
    """422 in FastAPI's shape: {"detail": [{"loc", "msg", "type"}]}."""
    return JSONResponse({"detail": [{"loc": [location, param], "msg": message, "type": kind}]}, status_code=422)


class ApiProblem(Exception):
    """Raised inside a handler to answer with an error body."""

    def __init__(self, status: int, message: str, code: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param


class ValidationProblem(Exception):
    def __init__(self, param: str, message: str, kind: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message
        self.kind = kind
