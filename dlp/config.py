"""Scan configuration: one YAML file, explicit dataclasses, errors that name the key.

Every section and key is optional; unknown keys are errors (a typo must not
silently turn a filter off). Without `--config` (or `$DLP_CONFIG`) the first
file found in `config_search_path()` is read. Relative paths inside a file are
resolved against the file's folder, so a config works from any working
directory (cron, systemd).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from detectors.model import SEVERITIES  # lowest first
from detectors.ner import DEFAULT_NER_MODEL
from dlp.extract.config import ExtractConfig
from dlp.redact import display_url, redact

DEFAULT_API_URL = "https://api.chatgpt.com/v1"
# Every log category known to carry text a person typed, uploaded or received (compliance-api.md, Update
# 2026-12 item 9): messages, connector traffic, Codex prompts, agent runs, the document/slides/sheet plugins.
DEFAULT_EVENT_TYPES = (
    "CONVERSATION_MESSAGE", "APP_LOG", "CODEX_LOG", "CUSTOM_AGENTS_LOG",
    "CHATGPT_PLUGIN_DOCUMENT", "CHATGPT_PLUGIN_PRESENTATION", "CHATGPT_PLUGIN_SPREADSHEET",
)
MAX_LOOKBACK_DAYS = 30  # the Logs Platform keeps 30 days
CONFIG_FILE_NAME = "dlp.yaml"
# The workspace id goes into URL paths: only a UUID (the form every public source shows) gets there.
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class ConfigError(ValueError):
    """A configuration problem, worded for the person who wrote the file."""


@dataclass(frozen=True)
class ApiConfig:
    url: str = DEFAULT_API_URL
    workspace_id: str | None = None
    # The key is read from the environment or a secret file, never from the command line.
    key_env: str = "DLP_API_KEY"
    key_file: str | None = None
    timeout_seconds: float = 60.0
    organization_id: str | None = None  # org-…: also read the organization-level logs route
    max_retries: int = 6  # 5xx, timeouts, truncated bodies; a 429 is not counted here
    backoff_cap_seconds: float = 60.0
    # Client-side limits per method and route, per rolling minute (0 = none). The API allows 100 per route
    # (N1), 50 on the stateful lists (S2); a 429 lowers a route's limit for the rest of the scan.
    list_per_minute: int = 50
    item_per_minute: int = 100
    logs_per_minute: int = 100
    throttle_budget_seconds: float = 1800.0  # longest total wait on 429 Retry-After in one scan
    verify_tls: bool = True


@dataclass(frozen=True)
class UserScope:
    include: tuple[str, ...] = ()  # emails or user ids; empty = everyone
    exclude: tuple[str, ...] = ()
    email_regex: str | None = None
    include_file: str | None = None  # one email per line


@dataclass(frozen=True)
class GptScope:
    include: tuple[str, ...] = ()  # GPT ids or names; empty = every GPT
    exclude: tuple[str, ...] = ()
    name_regex: str | None = None


@dataclass(frozen=True)
class ScopeConfig:
    users: UserScope = UserScope()
    gpts: GptScope = GptScope()


@dataclass(frozen=True)
class IngestConfig:
    event_types: tuple[str, ...] = DEFAULT_EVENT_TYPES  # any type name is accepted, known or not
    organization_event_types: tuple[str, ...] = ()  # read only at organization scope (needs api.organization_id)
    lookback_days: int = MAX_LOOKBACK_DAYS
    users: bool = True
    gpts: bool = True
    projects: bool = True
    files: bool = True
    library_files: bool = True  # each user's uploaded files (users/{id}/library_files)
    conversations_fallback: bool = True  # the deprecated /conversations listing, where it still answers


@dataclass(frozen=True)
class RetryConfig:
    """The retry queue: units (files, log files, GPTs, projects) that failed for a transient reason."""

    # Attempts in all, the first included; then the unit is given up with a final outcome and its reason.
    # A 403 (the key may not read it yet) waits for a grant and does not spend attempts.
    max_attempts: int = 10
    # The next scan tries a failed unit again at once; after that, attempts wait this long after the
    # previous failure, doubled each time up to backoff_cap_seconds (so a schedule that runs every
    # minute does not spend the budget in ten minutes of an outage).
    backoff_seconds: float = 300.0
    backoff_cap_seconds: float = 21600.0


@dataclass(frozen=True)
class DetectConfig:
    rule_paths: tuple[str, ...] = ()  # empty = the built-in default policy
    policy: str | None = None
    min_likelihood: str | None = None
    ner_model: str = DEFAULT_NER_MODEL


@dataclass(frozen=True)
class StoreConfig:
    database: str = "dlp.duckdb"
    evidence_dir: str | None = None  # opt-in: raw matched values are written here, owner-only
    # A writer needs the file to itself (a notebook's read-only connection blocks it): how long a
    # scan, `dlp triage` or `dlp export --since-last` waits for the lock before giving up.
    lock_wait_seconds: float = 300.0
    # After each scan, publish <db stem>.snapshot.duckdb, a consistent copy for notebooks and BI
    # tools, so that their connections never block the next scan.
    snapshot: bool = False


ALERT_FORMATS = ("json", "slack")
EXPORT_FORMATS = ("ocsf", "jsonl", "csv", "parquet", "sarif")


@dataclass(frozen=True)
class LinkTemplates:
    """Where an analyst opens the item behind a finding; `{conversation_id}`-style fields of the finding."""

    conversation: str = "https://chatgpt.com/c/{conversation_id}"  # messages, uploads, titles
    gpt: str = "https://chatgpt.com/g/{gpt_id}"  # GPT configs and knowledge files
    project: str = "https://chatgpt.com/g/{project_id}/project"  # project configs and files


@dataclass(frozen=True)
class ExportConfig:
    format: str = "jsonl"  # the default of `dlp export --format`
    include_suppressed: bool = False  # also export findings whose triage state is false_positive
    links: LinkTemplates = LinkTemplates()  # used by exports and alerts alike


@dataclass(frozen=True)
class WebhookReceiver:
    name: str = ""  # required and stable: the outbox keys deliveries on it
    # The URL, or where to read it when it is itself a secret (a Slack webhook URL is): like
    # api.key_env / api.key_file, never on the command line, never logged.
    url: str | None = None
    url_env: str | None = None
    url_file: str | None = None
    format: str = "json"  # json (findings as in `dlp export --format jsonl`) or slack (Slack-compatible text)
    # Optional signing secret: each request carries X-DLP-Signature-256: sha256=HMAC(secret, body).
    secret_env: str | None = None
    secret_file: str | None = None
    min_severity: str = "high"  # severity floor: low, medium, high, critical
    entities: tuple[str, ...] = ()  # only these entities; empty = all
    rules: tuple[str, ...] = ()  # only these rule ids; empty = all
    max_per_minute: int = 10  # rate cap on requests; findings beyond it wait and go out together
    max_batch: int = 20  # most findings in one request
    timeout_seconds: float = 10.0
    # A request that reached the receiver but got no answer (a timeout, or a crash mid-request) is
    # "in doubt". false: recorded as unknown and never sent again (at most once). true: sent again
    # with the same finding ids, for receivers that drop repeats (at least once).
    resend_in_doubt: bool = False


@dataclass(frozen=True)
class AlertsConfig:
    receivers: tuple[WebhookReceiver, ...] = ()
    max_attempts: int = 8  # failed requests per alert before it is given up (recorded as failed)
    give_up_after_hours: float = 24.0  # and the longest an alert may wait
    backoff_seconds: float = 30.0  # wait after the first failure, doubled after each further one
    backoff_cap_seconds: float = 1800.0
    deliver_seconds: float = 60.0  # how long a scan spends delivering due alerts after it ends


@dataclass(frozen=True)
class TriageConfig:
    # Reviewed files of `fingerprint: reason` lines kept in git beside the rules; their fingerprints
    # are suppressed in every later scan and in alerts.
    suppression_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanConfig:
    api: ApiConfig = ApiConfig()
    scope: ScopeConfig = ScopeConfig()
    ingest: IngestConfig = IngestConfig()
    retry: RetryConfig = RetryConfig()
    extract: ExtractConfig = ExtractConfig()  # every field of the extractor's own config, checked where it is built
    detect: DetectConfig = DetectConfig()
    store: StoreConfig = StoreConfig()
    export: ExportConfig = ExportConfig()
    alerts: AlertsConfig = AlertsConfig()
    triage: TriageConfig = TriageConfig()
    workers: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))

    def replace(self, **changes: Any) -> "ScanConfig":
        return dataclasses.replace(self, **changes)


def config_search_path(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> list[Path]:
    """Where a config is looked for when none is named: ./dlp.yaml, $XDG_CONFIG_HOME/dlp/dlp.yaml, /etc/dlp/dlp.yaml."""
    env = os.environ if env is None else env
    config_home = Path(env.get("XDG_CONFIG_HOME") or Path(env.get("HOME") or Path.home()) / ".config")
    return [(cwd or Path.cwd()) / CONFIG_FILE_NAME, config_home / "dlp" / CONFIG_FILE_NAME,
            Path("/etc/dlp") / CONFIG_FILE_NAME]


def find_config(
    explicit: str | Path | None, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Path | None:
    """The config file to read: the one named (flag or $DLP_CONFIG), else the first that exists on the search path."""
    if explicit:
        return Path(explicit)
    return next((path for path in config_search_path(env, cwd) if path.is_file()), None)


def load_config(path: str | Path | None) -> ScanConfig:
    """Read a YAML config file; `None` gives the defaults."""
    if path is None:
        return ScanConfig()
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    config = resolve_paths(_build(ScanConfig, raw, f"{path}: "), path.parent)
    validate(config, f"{path}: ")
    return config


def _resolved(value: str, base: Path) -> str:
    candidate = Path(value).expanduser()
    return str(candidate if candidate.is_absolute() else base / candidate)


def _looks_like_path(value: str) -> bool:
    """A policy may be named (`strict`) or be a file: only a value with a folder or a YAML suffix is a file."""
    return "/" in value or os.sep in value or value.endswith((".yaml", ".yml"))


def resolve_paths(config: ScanConfig, base: Path) -> ScanConfig:
    """Relative paths of a config file (rules, policy, database, evidence, key, scope, suppression and webhook
    secret files) made absolute against `base`, the file's folder, so the result does not depend on the
    working directory."""
    d, s, a, u = config.detect, config.store, config.api, config.scope.users
    policy = d.policy and (_resolved(d.policy, base) if _looks_like_path(d.policy) else d.policy)
    receivers = tuple(
        dataclasses.replace(r, url_file=r.url_file and _resolved(r.url_file, base),
                            secret_file=r.secret_file and _resolved(r.secret_file, base))
        for r in config.alerts.receivers
    )  # fmt: skip
    return config.replace(
        triage=dataclasses.replace(
            config.triage, suppression_files=tuple(_resolved(f, base) for f in config.triage.suppression_files)
        ),
        alerts=dataclasses.replace(config.alerts, receivers=receivers),
        detect=dataclasses.replace(d, rule_paths=tuple(_resolved(p, base) for p in d.rule_paths), policy=policy),
        store=dataclasses.replace(
            s, database=_resolved(s.database, base), evidence_dir=s.evidence_dir and _resolved(s.evidence_dir, base)
        ),
        api=dataclasses.replace(a, key_file=a.key_file and _resolved(a.key_file, base)),
        scope=dataclasses.replace(
            config.scope, users=dataclasses.replace(u, include_file=u.include_file and _resolved(u.include_file, base))
        ),
    )


def check_workspace_id(value: str, name: str = "api.workspace_id") -> str:
    """The id itself if it is a workspace UUID; else a ConfigError that says where the right one is."""
    value = value.strip()
    if _UUID.match(value):
        return value
    shown = redact(value if len(value) <= 60 else value[:57] + "...")  # a key pasted here is masked
    hint = (" (an 'org-...' id is an API-platform organization, not a ChatGPT Enterprise workspace)"
            if value.startswith("org-") else "")
    raise ConfigError(
        f"{name}: {shown!r} is not a workspace id{hint}: expected the workspace UUID, like "
        "11bf645e-d5e8-4478-a70e-e5742ded2436, shown in the ChatGPT Enterprise admin console"
    )


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(value: str, name: str = "api.url") -> str:
    """An https URL, or http to a loopback address (the local emulator); the key must not cross a network in clear."""
    shown = display_url(value)
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise ConfigError(f"{name}: {shown!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"{name}: {shown!r} is not an http(s) URL, like {DEFAULT_API_URL}")
    if parts.scheme == "http" and not _loopback(host):
        raise ConfigError(
            f"{name}: refusing plain http to {host}: the API key would cross the network unencrypted. "
            "Use https (plain http is accepted only for loopback: localhost, 127.0.0.1, ::1)"
        )
    return value.strip()


def validate(config: ScanConfig, prefix: str = "") -> None:
    """Checks across keys that the types alone cannot express."""
    if config.ingest.lookback_days < 1:
        raise ConfigError(f"{prefix}ingest.lookback_days must be at least 1")
    check_api_url(config.api.url, f"{prefix}api.url")
    if config.api.workspace_id is not None:
        check_workspace_id(config.api.workspace_id, f"{prefix}api.workspace_id")
    for key, pattern in (
        ("scope.users.email_regex", config.scope.users.email_regex),
        ("scope.gpts.name_regex", config.scope.gpts.name_regex),
    ):
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"{prefix}{key}: not a valid regular expression: {exc}") from exc
    if config.workers < 0:
        raise ConfigError(f"{prefix}workers must be 0 (in-process) or more")
    for key in ("list_per_minute", "item_per_minute", "logs_per_minute", "throttle_budget_seconds"):
        if getattr(config.api, key) < 0:
            raise ConfigError(f"{prefix}api.{key} must be 0 or more")
    if config.ingest.organization_event_types and not config.api.organization_id:
        raise ConfigError(f"{prefix}ingest.organization_event_types needs api.organization_id (the org-… id)")
    if config.store.lock_wait_seconds < 0:
        raise ConfigError(f"{prefix}store.lock_wait_seconds must be 0 or more")
    if config.retry.max_attempts < 1:
        raise ConfigError(f"{prefix}retry.max_attempts must be at least 1")
    for key in ("backoff_seconds", "backoff_cap_seconds"):
        if getattr(config.retry, key) < 0:
            raise ConfigError(f"{prefix}retry.{key} must be 0 or more")
    _validate_soc(config, prefix)


def _validate_soc(config: ScanConfig, prefix: str) -> None:
    if config.export.format not in EXPORT_FORMATS:
        raise ConfigError(f"{prefix}export.format must be one of {', '.join(EXPORT_FORMATS)}")
    for key in ("conversation", "gpt", "project"):
        template = getattr(config.export.links, key)
        try:
            template.format_map(_TemplateProbe())
        except (KeyError, ValueError, IndexError) as exc:
            raise ConfigError(f"{prefix}export.links.{key}: not a usable template: {exc}") from exc
    alerts = config.alerts
    for key in ("max_attempts", "give_up_after_hours", "backoff_seconds", "backoff_cap_seconds"):
        if getattr(alerts, key) <= 0:
            raise ConfigError(f"{prefix}alerts.{key} must be more than 0")
    if alerts.deliver_seconds < 0:
        raise ConfigError(f"{prefix}alerts.deliver_seconds must be 0 or more")
    names: set[str] = set()
    for i, r in enumerate(alerts.receivers):
        where = f"{prefix}alerts.receivers[{i}]"
        if not r.name:
            raise ConfigError(f"{where}.name is required (the outbox keys deliveries on it)")
        if r.name in names:
            raise ConfigError(f"{where}.name: '{r.name}' is used twice")
        names.add(r.name)
        if sum(x is not None for x in (r.url, r.url_env, r.url_file)) != 1:
            raise ConfigError(f"{where}: give exactly one of url, url_env, url_file")
        if r.url is not None and not re.match(r"https?://", r.url):
            raise ConfigError(f"{where}.url must start with http:// or https://")
        if r.secret_env is not None and r.secret_file is not None:
            raise ConfigError(f"{where}: give secret_env or secret_file, not both")
        if r.format not in ALERT_FORMATS:
            raise ConfigError(f"{where}.format must be one of {', '.join(ALERT_FORMATS)}")
        if r.min_severity not in SEVERITIES:
            raise ConfigError(f"{where}.min_severity must be one of {', '.join(SEVERITIES)}")
        for key in ("max_per_minute", "max_batch", "timeout_seconds"):
            if getattr(r, key) <= 0:
                raise ConfigError(f"{where}.{key} must be more than 0")


class _TemplateProbe(dict):  # type: ignore[type-arg]
    """Lets a link template be checked for syntax: every field of a finding formats as text."""

    def __missing__(self, key: str) -> str:
        return ""


def _build(cls: type, raw: dict[str, Any], prefix: str, path: str = "") -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{path}{key}"
        if key not in known:
            suggestion = ", ".join(sorted(known))
            raise ConfigError(f"{prefix}unknown key '{dotted}' (known here: {suggestion})")
        kwargs[key] = _coerce(hints[key], value, prefix, dotted)
    try:
        return cls(**kwargs)
    except ValueError as exc:  # a section that checks its own values (ExtractConfig's limits)
        raise ConfigError(f"{prefix}{path.rstrip('.') or cls.__name__}: {exc}") from None


def _coerce(hint: Any, value: Any, prefix: str, dotted: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _coerce(inner, value, prefix, dotted)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{prefix}'{dotted}' must be a mapping")
        return _build(hint, value, prefix, dotted + ".")
    if origin in (tuple, frozenset):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{prefix}'{dotted}' must be a list")
        return origin(_coerce(args[0], v, prefix, f"{dotted}[{i}]") for i, v in enumerate(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{prefix}'{dotted}' must be true or false, not {value!r}")
        return value
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{prefix}'{dotted}' must be a number, not {value!r}")
        if hint is int and not float(value).is_integer():
            raise ConfigError(f"{prefix}'{dotted}' must be a whole number, not {value!r}")
        return hint(value)
    if hint is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ConfigError(f"{prefix}'{dotted}' must be a string, not {value!r}")
        return str(value)
    raise ConfigError(f"{prefix}'{dotted}': unsupported value {value!r}")


def lookback_warning(days: int, name: str = "ingest.lookback_days") -> str | None:
    if days > MAX_LOOKBACK_DAYS:
        return f"{name} is {days}, but the Logs Platform keeps {MAX_LOOKBACK_DAYS} days: capped at {MAX_LOOKBACK_DAYS}"
    return None


def config_warnings(config: ScanConfig, prefix: str = "") -> list[str]:
    """Settings that work but not as written."""
    warning = lookback_warning(config.ingest.lookback_days, f"{prefix}ingest.lookback_days")
    return [warning] if warning else []


def read_api_key(api: ApiConfig) -> str | None:
    """The key from the secret file if one is configured, else from the environment variable.

    Surrounding whitespace (a newline from `echo`, a pasted space) is stripped; whitespace inside is an error.
    """
    key = read_secret(api.key_env, api.key_file, "api.key_file")
    if key and any(c.isspace() for c in key):
        where = f"api.key_file ({api.key_file})" if api.key_file else f"${api.key_env}"
        raise ConfigError(f"{where}: the API key contains spaces or line breaks; it must be one token")
    return key


def read_secret(env: str | None, file: str | None, file_key: str) -> str | None:
    """A secret from a file (named by the config key `file_key`) if one is given, else from `$env`; stripped."""
    if file:
        try:
            return Path(file).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ConfigError(f"{file_key}: cannot read {file}: {exc.strerror}") from exc
        except UnicodeDecodeError:
            raise ConfigError(f"{file_key}: {file} is not a text file") from None
    return ((os.environ.get(env) or "").strip() or None) if env else None
