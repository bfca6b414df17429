"""The bodies of Logs Platform events: CONVERSATION_MESSAGE, APP_LOG, CODEX_LOG, CUSTOM_AGENTS_LOG,
CHATGPT_PLUGIN_*, AUTH_LOG, AUDIT_LOG, COSTS.

Shapes follow the compliance reference (§7.3-§7.6, Update 2026-12 items 9-10)
and the public sample events: the common envelope (event_id, type, timestamp,
principal, actor) plus type-specific fields; Codex, agent and plugin events
carry `event_type`, `client_id`, `workspace_id` and `event_details`, and agent
runs have AGENT actors acting for a delegating user.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from dlp.emulator import prose, randomness
from dlp.emulator.groundtruth import PlantedValue
from dlp.emulator.model import ActivityStub, AppCallStub, Conversation, SimpleEventStub, User
from dlp.emulator.snippets import Snippet, fill, join, plain
from dlp.emulator.synth import credentials, financial, people

MODELS = ("gpt-5", "gpt-5-thinking", "gpt-4o", "o3")


def iso(moment: datetime) -> str:
    """Logs Platform time format: UTC, microseconds, trailing Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def principal(workspace_id: str) -> dict[str, str]:
    return {"id": workspace_id, "type": "CHATGPT_WORKSPACE"}


def user_actor(user: User) -> dict[str, str]:
    return {"type": "ACCOUNT_USER", "user_id": user.id, "user_email": user.email}


def event_id(seed: int, *parts: object) -> str:
    return randomness.uuid4(randomness.stream(seed, "event", *parts))


def conversation_message(workspace: Any, conversation: Conversation, number: int, with_files: bool) -> dict:
    """The CONVERSATION_MESSAGE event of message `number` (never the system message)."""
    stub = conversation.stub
    message = conversation.messages[number]
    user = workspace.user_by_id[stub.user_id]
    if message.role == "user":
        author: dict[str, Any] = {"type": "user", "client_type": user.client_type}
    elif message.role == "assistant":
        rng = randomness.stream(workspace.seed, "model", stub.index, number)
        used = [m.tool_name for m in conversation.messages[:number] if m.role == "tool"][-1:]
        author = {"type": "assistant", "model": rng.choice(MODELS), "tools_used": used}
    else:
        author = {"type": "tool", "tool_name": message.tool_name}
    body: dict[str, Any] = {
        "id": message.id,
        "created_at": iso(message.created_at),
        "author": author,
        "content": {"type": "text", "value": message.content.text},
    }
    if message.file_ids and with_files:
        body["files"] = [_file_ref(workspace.files[f]) for f in message.file_ids]
    first_logged = number == 1
    assistant = workspace.assistant_by_id.get(stub.gpt_id or stub.project_id or "")
    conv: dict[str, Any] = {
        "id": stub.id,
        # Early events may carry an empty title; later ones the generated title (clients keep the last).
        "title": "" if first_logged else conversation.title,
        "created_at": iso(stub.created_at),
        "is_pinned": False,
        "is_temporary_chat": stub.temporary,
    }
    if stub.gpt_id:
        conv.update(gpt_id=stub.gpt_id, gpt_name=assistant.name if assistant else None)
    if stub.project_id:
        conv.update(project_id=stub.project_id, project_name=assistant.name if assistant else None)
    event: dict[str, Any] = {
        "event_id": event_id(workspace.seed, "msg", stub.index, number),
        "type": "CONVERSATION_MESSAGE",
        "principal": principal(workspace.workspace_id),
        "actor": user_actor(user),
        "timestamp": iso(message.created_at),
    }
    if not first_logged:
        event["previous_message_id"] = conversation.messages[number - 1].id
    event["message"] = body
    event["conversation"] = conv
    return event


def _file_ref(stored: Any) -> dict[str, Any]:
    return {"id": stored.id, "object": "compliance.workspace.conversation.message.file", "name": stored.name,
            "created_at": iso(stored.created_at)}


@dataclass(frozen=True)
class AppCall:
    request: dict
    response: dict
    planted: list[PlantedValue]


# name, type, action, query templates
_APPS = (
    ("Slack", "MCP", "slack_search_public", ("in:#billing refund", "in:#deploys failed", "from:me invoice")),
    ("Google Drive", "FIRST_PARTY_ECOSYSTEM", "search_files", ("quarterly review", "supplier bank details",
                                                               "onboarding checklist")),
    ("Salesforce", "MCP", "get_contact", ("contact lookup",)),
    ("Jira", "OPEN_API", "search_issues", ("project = OPS AND status = Open", "text ~ \"credentials\"")),
    ("GitHub", "MCP", "search_code", ("repo:platform/config filename:.env", "org:contoso-labs token")),
)
_LOCATIONS = (("London", "GB", "en-GB"), ("New York", "US", "en-US"), ("Berlin", "DE", "de-DE"),
              ("Madrid", "ES", "es-ES"), ("Amsterdam", "NL", "nl-NL"))


def app_call(workspace: Any, stub: AppCallStub) -> AppCall:
    """A connector call: the request event (input) and the response event (output), with plants."""
    rng = randomness.stream(workspace.seed, "app-body", stub.index)
    name, app_type, action, queries = _APPS[stub.app % len(_APPS)]
    user = workspace.user_by_id[stub.user_id]
    app_id = "asdk_app_" + randomness.hex_string(randomness.stream(workspace.seed, "app-id", name), 32)
    city, country, locale = rng.choice(_LOCATIONS)
    query: Snippet = plain(rng.choice(queries))
    if name == "Salesforce":
        query = fill("email = '{v}'", {"v": people.email(rng)})
    plant = rng.random() < workspace.config.plant_rate
    result = _result_text(rng, name, plant, workspace.config.lookalike_rate)
    request_id = event_id(workspace.seed, "app", stub.index, 0)
    response_id = event_id(workspace.seed, "app", stub.index, 1)
    common = {"principal": principal(workspace.workspace_id), "actor": user_actor(user), "app_id": app_id,
              "app_name": name, "app_type": app_type, "conversation_id": stub.conversation_id}
    request = {
        "event_id": request_id, "type": "APP_LOG", "timestamp": iso(stub.at), **common, "log_type": "request",
        "input": {"query": query.text, "limit": rng.choice((10, 20, 50)),
                  "_meta": {"openai/userAgent": "ChatGPT/1.2026.183 (Mac OS X 15.5; arm64; build 1754)",
                            "openai/locale": locale,
                            "openai/userLocation": {"city": city, "country": country},
                            "openai/subject": "v1/" + randomness.alnum(rng, 20)}},
    }
    response = {
        "event_id": response_id, "type": "APP_LOG", "timestamp": iso(stub.at + timedelta(milliseconds=rng.randint(200, 3000))),
        **common, "log_type": "response",
        "output": [{"response": {"result": {"content": [{"type": "text", "text": result.text}], "isError": False},
                                 "connector_id": app_id, "connector_name": name, "action_name": action,
                                 "is_sync": False, "internal": {"external_call_time_ms": rng.randint(80, 1500)}}}],
    }
    planted = []
    for location, snippet, carrier in (("input", query, request_id), ("output", result, response_id)):
        for span in snippet.spans:
            planted.append(PlantedValue(
                entity=span.value.entity, value=span.value.text, valid=span.value.valid, kind="app_log",
                subtype=span.value.subtype, user_id=user.id, conversation_id=stub.conversation_id,
                location=location, start=span.start, end=span.end, event_id=carrier,
            ))
    return AppCall(request, response, planted)


def _result_text(rng, app: str, plant: bool, lookalike_rate: float) -> Snippet:
    topic = rng.choice(prose.TOPICS)
    if app == "Salesforce":
        who = people.person(rng)
        if not plant:
            return plain("Contact found. Account status: active. Last activity: renewal call.")
        return fill("Contact: {name}\nEmail: {email}\nPhone: {phone}\nAccount status: active",
                    {"name": people.person_name(rng, who), "email": people.email(rng, who),
                     "phone": people.phone_number(rng, people.REGION_OF_LOCALE[who.locale])})
    header = plain(f"Search results ({rng.randint(1, 9)} matches):")
    body = plain(rng.choice(topic.details))
    if not plant:
        return join([header, body], sep="\n")
    if app == "GitHub":
        value = credentials.placeholder_key(rng) if rng.random() < lookalike_rate else \
            rng.choice(tuple(credentials.PROVIDERS.values()))(rng)
        leak = fill("config/.env.production:3: API_TOKEN={v}", {"v": value})
    elif app == "Google Drive":
        leak = fill("Supplier bank details.docx: \"...please update our IBAN to {v}...\"",
                    {"v": financial.iban(rng, rng.random() >= lookalike_rate)})
    else:
        leak = prose.plant_sentence(rng, lookalike_rate)
    return join([header, body, leak], sep="\n")


@dataclass(frozen=True)
class Activity:
    events: list[dict]
    planted: list[PlantedValue]


_PLUGIN_CLIENTS = {"CHATGPT_PLUGIN_DOCUMENT": "WORD_ADDIN", "CHATGPT_PLUGIN_PRESENTATION": "POWERPOINT_ADDIN",
                   "CHATGPT_PLUGIN_SPREADSHEET": "EXCEL_ADDIN"}
_CODEX_CLIENTS = ("CODEX_CLI", "CODEX_WEB", "CODEX_IDE_VSCODE", "CODEX_DESKTOP_APP")
_AGENT_NAMES = ("Sales Ops Agent", "Invoice Chaser", "Onboarding Helper", "Release Notes Agent")


def activity(workspace: Any, stub: ActivityStub) -> Activity:
    """The events of one Codex turn, agent run or plugin prompt, and the values planted in their text.

    The first activity of each type always carries a valid planted value, so every content-bearing type
    has one at every scale; the others carry one at the workspace's plant rate.
    """
    rng = randomness.stream(workspace.seed, "activity-body", stub.event_type, stub.index)
    user = workspace.user_by_id[stub.user_id]
    topic = prose.TOPICS[rng.randrange(len(prose.TOPICS))]
    plant: Snippet | None = None
    if stub.index == 0 or rng.random() < workspace.config.plant_rate:
        plant = prose.plant_sentence(rng, 0.0 if stub.index == 0 else workspace.config.lookalike_rate,
                                     "credit_card" if stub.index == 0 else None)
    ask = join([plain(rng.choice(topic.asks)), plain(rng.choice(topic.details))])
    answer = plain(rng.choice(topic.replies))
    common = {"principal": principal(workspace.workspace_id), "workspace_id": workspace.workspace_id}
    ids = [event_id(workspace.seed, stub.event_type, stub.index, part) for part in range(3)]
    session = "session-" + randomness.hex_string(rng, 12)
    if stub.event_type == "CODEX_LOG":
        prompt = join([ask, plant]) if plant is not None else ask
        details = [{"detail_type": "PROMPT_SENT", "session_id": session, "prompt_text": prompt.text,
                    "model": "gpt-5.1-codex"},
                   {"detail_type": "PROMPT_RESPONSE_RECEIVED", "session_id": session, "prompt_text": prompt.text,
                    "response_text": answer.text, "model": "gpt-5.1-codex", "status": "success",
                    "token_usage": {"input_tokens": rng.randint(200, 5000), "output_tokens": rng.randint(50, 2000)}}]
        client = rng.choice(_CODEX_CLIENTS)
        events = [{"event_id": ids[n], "type": "CODEX_LOG", "timestamp": iso(stub.at + timedelta(seconds=20 * n)),
                   **common, "actor": user_actor(user), "event_type": d["detail_type"], "client_id": client,
                   "event_details": d} for n, d in enumerate(details)]
        carriers = [(ids[0], "event_details.prompt_text", prompt)]
    elif stub.event_type == "CUSTOM_AGENTS_LOG":
        agent_id = "agent-" + randomness.hex_string(rng, 10)
        run_id = "thread_" + randomness.hex_string(rng, 24)
        in_agent_reply = plant is not None and stub.index % 2 == 0  # half the plants sit in what the agent said
        request = join([ask, plant]) if plant is not None and not in_agent_reply else ask
        reply = join([answer, plant]) if in_agent_reply else answer
        agent = {"type": "AGENT", "product_type": "COLLAB_AGENT",
                 "id": "agent-harness-" + randomness.hex_string(rng, 8), "name": rng.choice(_AGENT_NAMES), "product_id": agent_id,
                 "agent_runtime": {"id": "runtime-" + randomness.hex_string(rng, 8), "delegator": user_actor(user)},
                 "agent_task": {"id": "task-" + randomness.hex_string(rng, 8)}}
        base = {"agent_id": agent_id, "version_id": f"version-{rng.randint(1, 9)}", "run_id": run_id}
        events = [
            {"event_id": ids[0], "type": "CUSTOM_AGENTS_LOG", "timestamp": iso(stub.at), **common,
             "actor": user_actor(user), "event_type": "AGENT_RUN_CREATED", "client_id": "CHATGPT_WEB",
             "event_details": {"detail_type": "AGENT_RUN_CREATED", **base,
                               "invoker": {"type": "chatgpt", "initiator": {"kind": "account_user",
                                                                            "display_name": user.name,
                                                                            "auth_user_id": user.id},
                                           "user_message_text": request.text, "is_shared_invocation": False}}},
            {"event_id": ids[1], "type": "CUSTOM_AGENTS_LOG", "timestamp": iso(stub.at + timedelta(seconds=30)),
             **common, "actor": agent, "event_type": "AGENT_RUN_MESSAGE", "client_id": "CHATGPT_WEB",
             "event_details": {"detail_type": "AGENT_RUN_MESSAGE", **base, "text": reply.text}},
            {"event_id": ids[2], "type": "CUSTOM_AGENTS_LOG", "timestamp": iso(stub.at + timedelta(seconds=31)),
             **common, "actor": agent, "event_type": "MEMORY_READ", "client_id": "CHATGPT_WEB",
             "event_details": {"detail_type": "MEMORY_READ", **base, "memory_path": "notes/summary.md",
                               "access_method": "read"}},
        ]
        carriers = [(ids[1], "event_details.text", reply) if in_agent_reply
                    else (ids[0], "event_details.invoker.user_message_text", request)]
    else:  # CHATGPT_PLUGIN_DOCUMENT / _PRESENTATION / _SPREADSHEET
        prompt = join([ask, plant]) if plant is not None else ask
        events = [{"event_id": ids[0], "type": stub.event_type, "timestamp": iso(stub.at), **common,
                   "actor": user_actor(user), "event_type": "PROMPT_SENT",
                   "client_id": _PLUGIN_CLIENTS.get(stub.event_type, "ADDIN"),
                   "event_details": {"detail_type": "PROMPT_SENT", "session_id": session,
                                     "prompt_text": prompt.text, "model": "gpt-5.1", "environment_id": None}}]
        carriers = [(ids[0], "event_details.prompt_text", prompt)]
    planted = [
        PlantedValue(entity=span.value.entity, value=span.value.text, valid=span.value.valid, kind="log_event",
                     subtype=span.value.subtype, user_id=user.id, location=location, start=span.start,
                     end=span.end, event_id=carrier)
        for carrier, location, snippet in carriers for span in snippet.spans
    ]  # fmt: skip
    return Activity(events, planted)


_AUTH_ACTIONS = ("login_success", "login_success", "login_success", "logout_success", "login_failed", "token_issued")
_ADMIN_ACTIONS = (("USER_ROLE_UPDATED", {"new_role": "account-admin"}),
                  ("WORKSPACE_TOGGLE_FEATURE", {"feature": "connectors", "enabled": True}),
                  ("INVITE_SEND", {"invite_count": 3}),
                  ("GPT_SHARING_UPDATED", {"visibility": "workspace"}))


def simple_event(workspace: Any, stub: SimpleEventStub) -> dict:
    rng = randomness.stream(workspace.seed, "simple", stub.event_type, stub.index)
    base = {"event_id": event_id(workspace.seed, stub.event_type, stub.index), "type": stub.event_type,
            "timestamp": iso(stub.at)}
    if stub.event_type == "COSTS":
        return {**base, "principal": {"id": workspace.organization_id, "type": "OPENAI_ORGANIZATION"},
                "cost": {"amount": {"value": round(rng.uniform(40, 400), 2), "currency": "usd"},
                         "line_item": rng.choice(("ChatGPT Enterprise seats", "Codex usage", "Connectors"))}}
    user = workspace.user_by_id[stub.user_id]
    city, country, _ = rng.choice(_LOCATIONS)
    metadata = {
        "client_ip": f"203.0.113.{rng.randint(1, 254)}",
        "client_ip_details": {"country": country, "city": city},
        "client_user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15",
        "client_ja3": hashlib.md5(randomness.alnum(rng, 16).encode()).hexdigest(),
        "client_ja4": "t13d1516h2_" + randomness.hex_string(rng, 12) + "_" + randomness.hex_string(rng, 12),
    }
    base.update(principal=principal(workspace.workspace_id), actor=user_actor(user))
    if stub.event_type == "AUTH_LOG":
        return {**base, "request_metadata": metadata,
                "action_data": {"action": rng.choice(_AUTH_ACTIONS), "role": user.role}}
    action, data = rng.choice(_ADMIN_ACTIONS)
    return {**base, "action": action, "action_result": "SUCCESS", "action_privilege": "ADMIN",
            "action_data": dict(data), "request_metadata": {**metadata, "destination_hostname": "chatgpt.com"}}


def compliance_audit(workspace_id: str, redacted_key: str, action: str, params: dict[str, Any],
                     at: datetime, identifier: str, result: str) -> dict:
    """An AUDIT_LOG event recording one of the client's own Compliance API calls."""
    return {
        "event_id": identifier, "type": "AUDIT_LOG", "timestamp": iso(at), "principal": principal(workspace_id),
        "actor": {"type": "API_KEY", "redacted_id": redacted_key},
        "action": action, "action_result": result, "action_privilege": "ADMIN", "action_data": params,
        "request_metadata": {"client_ip": "127.0.0.1", "destination_hostname": "api.chatgpt.com"},
    }
