"""What a key needs to read each stream, and what to tell a person whose key lacks it.

Keys are now workspace admin keys with one read permission per log category,
created by a workspace owner in the admin console (compliance-api.md, Update
2026-12 item 1: N1, N3); the older flow (a platform key, then e-mail to OpenAI
support for the compliance scope) is still described by S2 and the seed
vendors. Advice names the admin-key way first and the legacy way second.
"""

from __future__ import annotations

STATEFUL_PERMISSION = "chatgpt.enterprise.compliance_export.read"

ADMIN_KEY_ADVICE = (
    "Admin keys: a workspace owner grants the key a read permission per log category, and the compliance "
    "export read for users, GPTs, projects and files (ChatGPT admin console > Credentials > Admin keys > the "
    "key's permissions); here: {permission}."
)
LEGACY_KEY_ADVICE = (
    "Legacy compliance keys: OpenAI support grants the compliance scopes on a key on request "
    "(support@openai.com, quoting the key's last 4 characters)."
)
KEY_ORIGIN = (
    "Compliance API keys are workspace admin keys created by a workspace owner or admin in the ChatGPT admin "
    "console (Credentials > Admin keys); older keys were platform keys given the compliance scopes by OpenAI "
    "support on request (support@openai.com)."
)
WRONG_WORKSPACE_HINT = (
    "A 403 on every call can also mean the key belongs to another workspace: check api.workspace_id."
)


def log_permission(event_type: str) -> str:
    """The fine-grained read permission of one log category (N1's scope hint, e.g. `...conversation_message.read`)."""
    return f"chatgpt.enterprise.compliance_logs_platform.{event_type.lower()}.read"


def permission_for(stream: str) -> str:
    """`logs:CODEX_LOG` -> its log permission; a stateful family (users, gpts, ...) -> the compliance export read."""
    kind, _, event_type = stream.partition(":")
    if kind in ("logs", "org-logs") and event_type:
        return log_permission(event_type)
    return STATEFUL_PERMISSION


def advice(stream: str) -> tuple[str, str]:
    """The two lines of advice for a forbidden stream: admin keys first, the legacy flow second."""
    return ADMIN_KEY_ADVICE.format(permission=permission_for(stream)), LEGACY_KEY_ADVICE
