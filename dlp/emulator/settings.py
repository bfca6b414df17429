"""Configuration of the emulator: the workspace scale, the keys, and every behaviour knob.

The defaults are the documented behaviour (compliance-api.md, Update 2026-12):
rate limits on at 100 requests per rolling minute per route (50 on the stateful
lists), `after` strictly later, no `message.files` in CONVERSATION_MESSAGE
events, uploads listed per user in `library_files`, the conversations listing
gone (404), a wrong workspace id answered with 403. Our older readings are
knobs. Every fault knob defaults OFF. Settings load from a YAML file with
`load_settings`, which names the file and the key of any bad value.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

DEFAULT_API_KEY = "sk-emulator-local-0000000000000000"
DEFAULT_WORKSPACE_ID = "6c1d8a4e-2f0b-4a7e-9c35-0e5b7d9f1a22"
DEFAULT_ORGANIZATION_ID = "org-EmulatorLocal0000000000"


@dataclass(frozen=True)
class GeneratorConfig:
    """How big the synthetic workspace is and how densely sensitive values are planted."""

    users: int = 12
    gpts: int = 3
    projects: int = 2
    conversations: int = 40
    days: int = 14  # activity spreads over the last N days before the clock's now
    min_turns: int = 1  # user turns per conversation (each turn: user, maybe tool, assistant)
    max_turns: int = 4
    attachments: int = 10  # chat uploads, spread over the conversations
    expired_uploads: int = 1  # of those, how many are older than the 48 h upload retention
    temporary_chat_rate: float = 0.1
    gpt_conversation_rate: float = 0.25
    project_conversation_rate: float = 0.1
    plant_rate: float = 0.35  # share of user messages that carry a planted sensitive value
    lookalike_rate: float = 0.2  # share of plants that are invalid look-alikes (valid=False)
    app_calls: int = 24  # connector calls in APP_LOG (each one request + one response event)
    library_uploads: int = 4  # files in users' libraries that no conversation references
    codex_turns: int = 8  # CODEX_LOG prompt sent + response received pairs
    agent_runs: int = 6  # CUSTOM_AGENTS_LOG runs: a user's request, then the agent's messages (agent actor)
    plugin_prompts: int = 9  # CHATGPT_PLUGIN_DOCUMENT / _PRESENTATION / _SPREADSHEET prompts
    auth_events_per_user: int = 3
    admin_audit_events: int = 6

    @classmethod
    def preset(cls, name: str) -> "GeneratorConfig":
        """Named scales: `demo` (seconds to scan), `medium`, `large` (100k messages, 1,000 files)."""
        presets = {
            "demo": cls(),
            "medium": cls(users=60, gpts=8, projects=5, conversations=1_000, days=21, attachments=120,
                          expired_uploads=6, app_calls=300, library_uploads=30, codex_turns=80, agent_runs=40,
                          plugin_prompts=60),
            "large": cls(users=400, gpts=25, projects=15, conversations=12_500, days=28, min_turns=3,
                         max_turns=5, attachments=1_000, expired_uploads=40, app_calls=2_000,
                         auth_events_per_user=6, library_uploads=200, codex_turns=600, agent_runs=300,
                         plugin_prompts=400),
        }
        if name not in presets:
            raise ValueError(f"unknown scale preset {name!r}; choose one of {', '.join(presets)}")
        return presets[name]


@dataclass(frozen=True)
class FaultSettings:
    """Ways the emulator misbehaves on purpose. Rates are probabilities in [0, 1]; all default off."""

    short_page_rate: float = 0.0  # a list page returns fewer items than asked while has_more stays true
    server_error_rate: float = 0.0  # answer 500/502/503 instead of serving the request
    slow_rate: float = 0.0  # delay the response by slow_seconds
    slow_seconds: float = 2.0
    truncated_body_rate: float = 0.0  # a download declares its full length, sends half, and closes
    sha_mismatch_rate: float = 0.0  # a listed log file's file_sha256 does not match its bytes
    duplicate_event_rate: float = 0.0  # an event_id is delivered again in a later log file
    late_delivery_max_minutes: float = 0.0  # events land in files up to N minutes after their timestamp
    # Where server_error_rate and slow_rate apply: endpoint families (files, logs, users, gpts, projects,
    # library_files, conversations; "files" = the 307 file-content routes) or route templates
    # ("/gpts/{gpt_id}/configs"); empty = every endpoint.
    fault_routes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "fault_routes", tuple(self.fault_routes))  # a YAML list


@dataclass(frozen=True)
class EmulatorSettings:
    seed: int = 7
    scale: GeneratorConfig = field(default_factory=GeneratorConfig)
    api_keys: dict[str, frozenset[str]] = field(
        default_factory=lambda: {DEFAULT_API_KEY: frozenset({"read", "delete"})}
    )
    workspace_id: str = DEFAULT_WORKSPACE_ID
    organization_id: str = DEFAULT_ORGANIZATION_ID
    # a workspace id that is not ours: 403 "key not authorized for this workspace" (N1), or 404 (S2)
    unknown_workspace_status: int = 403
    # rate limits: per workspace (or organization), method and route, per minute
    rate_limits_enabled: bool = True
    list_rate_per_minute: int = 50
    item_rate_per_minute: int = 100
    logs_rate_per_minute: int = 100
    # "rolling": at most N requests in any 60 s; "bucket": a token bucket that starts full (our older guess)
    rate_limit_style: str = "rolling"
    # the deprecated stateful conversations listing: "absent" (404, N2), "gone" (410, S7), "live" (200, S2)
    conversations_endpoint: str = "absent"
    conversation_messages_endpoint: bool = True  # serve /conversations/{id}/messages when live (psoxy-only path)
    # logs platform
    message_files_in_logs: bool = False  # CONVERSATION_MESSAGE events carry message.files[] (psoxy's sample only)
    logs_after_inclusive: bool = False  # `after` matches end_time >= after (S9's comment) instead of > after (N1)
    log_roll_seconds: int = 300  # events are flushed into one file per type per interval
    log_retention_days: int = 30
    audit_compliance_calls: bool = True  # the client's own calls appear as AUDIT_LOG events
    # files and signed URLs
    upload_retention_hours: int = 48
    download_url_ttl_seconds: int = 3600  # download_url embedded in objects
    redirect_ttl_seconds: int = 300  # Location of a 307 from a file-content endpoint
    signed_url_single_use: bool = False
    # "openai": {"error": {...}} bodies; "detail": FastAPI-style {"detail": "..."} for non-422 errors
    error_style: str = "openai"
    faults: FaultSettings = field(default_factory=FaultSettings)

    def __post_init__(self) -> None:
        if self.error_style not in ("openai", "detail"):
            raise ValueError(f"error_style must be 'openai' or 'detail', not {self.error_style!r}")
        if self.rate_limit_style not in ("rolling", "bucket"):
            raise ValueError(f"rate_limit_style must be 'rolling' or 'bucket', not {self.rate_limit_style!r}")
        if self.conversations_endpoint not in CONVERSATIONS_STATUS:
            raise ValueError(f"conversations_endpoint must be one of {', '.join(CONVERSATIONS_STATUS)}, "
                             f"not {self.conversations_endpoint!r}")
        if self.unknown_workspace_status not in (403, 404):
            raise ValueError("unknown_workspace_status must be 403 or 404")
        for name in ("short_page_rate", "server_error_rate", "slow_rate", "truncated_body_rate",
                     "sha_mismatch_rate", "duplicate_event_rate"):
            rate = getattr(self.faults, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"faults.{name} must be between 0 and 1, not {rate}")
        unknown = sorted(r for r in self.faults.fault_routes if not r.startswith("/") and r not in FAMILIES)
        if unknown:
            raise ValueError(f"faults.fault_routes: unknown families {unknown}; use {', '.join(FAMILIES)} "
                             "or a route template like /gpts/{gpt_id}/configs")
        if self.log_roll_seconds <= 0:
            raise ValueError("log_roll_seconds must be positive")
        for key, scopes in self.api_keys.items():
            unknown = sorted(s for s in scopes if not valid_scope(s))
            if unknown:
                raise ValueError(f"api key {mask_key(key)} has unknown scopes {unknown}; use read, delete, "
                                 f"stateful, stateful:<{'|'.join(STATEFUL_FAMILIES)}> or logs:<EVENT_TYPE>")

    def replace(self, **changes: Any) -> "EmulatorSettings":
        return dataclasses.replace(self, **changes)


CONVERSATIONS_STATUS = {"absent": 404, "gone": 410, "live": 200}
# What a key may be granted. "read" is the broad compliance read of legacy keys; admin keys get one read
# permission per log category ("logs:CODEX_LOG") and the stateful read ("stateful", or one family of it).
STATEFUL_FAMILIES = ("users", "gpts", "projects", "files", "library_files", "conversations")
FAMILIES = ("logs", *STATEFUL_FAMILIES)


def valid_scope(scope: str) -> bool:
    if scope in ("read", "delete", "stateful"):
        return True
    kind, _, rest = scope.partition(":")
    if kind == "stateful":
        return rest in STATEFUL_FAMILIES
    return kind == "logs" and bool(rest) and rest.replace("_", "").isalnum() and rest.upper() == rest


def mask_key(key: str) -> str:
    """A key as it may appear in messages: a prefix and the last four characters."""
    if len(key) <= 8:
        return "****"
    return f"{key[:3]}...{key[-4:]}"


class SettingsError(ValueError):
    """A configuration file or mapping that cannot be turned into settings."""


def settings_from_mapping(data: Mapping[str, Any], source: str = "<settings>") -> EmulatorSettings:
    """Build settings from a plain mapping (a parsed YAML file), rejecting unknown keys by name."""
    if not isinstance(data, Mapping):
        raise SettingsError(f"{source}: the top level must be a mapping of settings")
    values: dict[str, Any] = {}
    known = {f.name: f for f in dataclasses.fields(EmulatorSettings)}
    for key, raw in data.items():
        if key not in known:
            raise SettingsError(f"{source}: unknown setting {key!r}; known: {', '.join(sorted(known))}")
        if key == "scale":
            values[key] = _scale_from(raw, source)
        elif key == "faults":
            values[key] = _nested(FaultSettings, raw, f"{source}: faults")
        elif key == "api_keys":
            values[key] = _api_keys_from(raw, source)
        else:
            values[key] = raw
    try:
        return EmulatorSettings(**values)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{source}: {exc}") from None


def load_settings(path: str | Path) -> EmulatorSettings:
    """Read settings from a YAML file; errors name the file, the line (for YAML syntax) and the key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read settings file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SettingsError(f"{path}:{where}: invalid YAML ({problem})") from None
    return settings_from_mapping(data, str(path))


def _scale_from(raw: Any, source: str) -> GeneratorConfig:
    if isinstance(raw, str):
        try:
            return GeneratorConfig.preset(raw)
        except ValueError as exc:
            raise SettingsError(f"{source}: scale: {exc}") from None
    if isinstance(raw, Mapping) and "preset" in raw:
        base = _scale_from(raw["preset"], source)
        rest = {k: v for k, v in raw.items() if k != "preset"}
        return dataclasses.replace(base, **_checked_fields(GeneratorConfig, rest, f"{source}: scale"))
    return _nested(GeneratorConfig, raw, f"{source}: scale")


def _nested(cls: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, Mapping):
        raise SettingsError(f"{where} must be a mapping")
    return cls(**_checked_fields(cls, raw, where))


def _checked_fields(cls: type, raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    names = {f.name: f for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in names:
            raise SettingsError(f"{where}: unknown key {key!r}; known: {', '.join(sorted(names))}")
        default = names[key].default
        if isinstance(default, bool) and not isinstance(value, bool):
            raise SettingsError(f"{where}: {key} must be true or false, not {value!r}")
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SettingsError(f"{where}: {key} must be a number, not {value!r}")
        out[key] = value
    return out


def _api_keys_from(raw: Any, source: str) -> dict[str, frozenset[str]]:
    if not isinstance(raw, Mapping) or not raw:
        raise SettingsError(f"{source}: api_keys must map each key to a list of scopes (read, delete)")
    keys: dict[str, frozenset[str]] = {}
    for key, scopes in raw.items():
        if isinstance(scopes, str):
            scopes = [scopes]
        if not isinstance(scopes, (list, tuple)) or not all(isinstance(s, str) for s in scopes):
            raise SettingsError(f"{source}: api_keys: the scopes of {mask_key(str(key))} must be a list")
        keys[str(key)] = frozenset(scopes)
    return keys
