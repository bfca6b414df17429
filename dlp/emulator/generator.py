"""Build a synthetic workspace's metadata from a seed, a scale and the clock's now.

Content (message texts, file bytes) is not generated here: `Workspace`
expands it lazily. Times are placed relative to `anchor` (the clock's now at
build time) by offsets drawn from seeded streams, so the same seed and the
same anchor give the same workspace.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dlp.emulator import conversations, prose, randomness
from dlp.emulator.documents.content import secret_instructions
from dlp.emulator.model import (
    ActivityStub,
    AppCallStub,
    Assistant,
    ConfigVersion,
    ConversationStub,
    CustomAction,
    SimpleEventStub,
    StoredFile,
    User,
)
from dlp.emulator.settings import DEFAULT_ORGANIZATION_ID, GeneratorConfig
from dlp.emulator.snippets import fill, join, plain
from dlp.emulator.synth import credentials, people
from dlp.emulator.workspace import Workspace

DEPARTMENTS = {
    "Finance": ("refunds", "procurement", "analytics"),
    "People": ("hr", "onboarding", "travel"),
    "Engineering": ("infra", "engineering", "analytics"),
    "Sales": ("sales", "marketing", "travel"),
    "Legal": ("legal", "procurement"),
    "Customer Support": ("refunds", "healthcare", "sales"),
    "Clinical Operations": ("healthcare", "hr"),
    "Marketing": ("marketing", "analytics"),
}
TOPIC_INDEX = {topic.name: i for i, topic in enumerate(prose.TOPICS)}
ASSISTANT_NAMES = {
    "refunds": ("Refund Desk Assistant", "Billing Reply Helper"),
    "onboarding": ("Onboarding Buddy", "New Starter Guide"),
    "infra": ("Deploy Doctor", "Infra Runbook Bot"),
    "sales": ("Deal Coach", "Pipeline Summariser"),
    "legal": ("Contract Reviewer", "NDA Checker"),
    "analytics": ("Metrics Copilot", "SQL Helper"),
    "hr": ("HR Policy Helper", "People Team Assistant"),
    "healthcare": ("Clinic Intake Helper", "Referral Letter Writer"),
    "marketing": ("Campaign Brief Writer", "Copy Polisher"),
    "travel": ("Travel Policy Bot", "Expense Helper"),
    "engineering": ("Code Review Buddy", "Test Writer"),
    "procurement": ("Supplier Onboarding Bot", "Invoice Matcher"),
}
UPLOAD_FORMATS = ("pdf", "docx", "xlsx", "pptx", "csv", "txt", "json", "png")
KNOWLEDGE_FORMATS = ("pdf", "docx", "txt")
PROJECT_FORMATS = ("xlsx", "pdf", "csv", "docx")
FILE_STEMS = {
    "pdf": ("summary", "report", "policy", "memo", "review"),
    "docx": ("draft", "notes", "letter", "proposal"),
    "xlsx": ("export", "tracker", "batch", "ledger"),
    "pptx": ("deck", "qbr", "overview"),
    "csv": ("export", "customers", "payments"),
    "txt": ("notes", "config", "runbook"),
    "json": ("records", "export", "payload"),
    "png": ("chart", "screenshot", "diagram"),
}
WORKSPACE_DOMAIN = "contoso-labs.com"
# Activity ends this long before the clock's now, so a clean emulator has flushed every log file.
QUIET_MARGIN = timedelta(minutes=15)


def build_workspace(seed: int, config: GeneratorConfig, anchor: datetime, workspace_id: str,
                    organization_id: str = DEFAULT_ORGANIZATION_ID) -> Workspace:
    users = _users(seed, config, anchor)
    files: dict[str, StoredFile] = {}
    gpts = [_assistant(seed, "gpt", i, users, anchor, files) for i in range(config.gpts)]
    projects = [_assistant(seed, "project", i, users, anchor, files) for i in range(config.projects)]
    stubs = _conversations(seed, config, anchor, users, gpts, projects, files)
    _library_uploads(seed, config, anchor, users, files)
    calls = _app_calls(seed, config, anchor, users, stubs)
    simple = _simple_events(seed, config, anchor, users)
    activities = _activities(seed, config, anchor, users)
    return Workspace(seed=seed, config=config, anchor=anchor, workspace_id=workspace_id, users=users,
                     gpts=gpts, projects=projects, files=files, conversations=stubs, app_calls=calls,
                     simple_events=simple, organization_id=organization_id, activities=activities)


def _users(seed: int, config: GeneratorConfig, anchor: datetime) -> list[User]:
    users = []
    seen: set[str] = set()
    departments = list(DEPARTMENTS)
    for i in range(config.users):
        rng = randomness.stream(seed, "user", i)
        who = people.person(rng)
        local = people.email(rng, who).text.split("@")[0]
        while local in seen:
            local += str(rng.randint(0, 9))
        seen.add(local)
        role = "account-owner" if i == 0 else "account-admin" if i in (1, 2) else "standard-user"
        status = "inactive" if i > 3 and rng.random() < 0.05 else "active"
        users.append(User(
            id=randomness.user_id(rng), email=f"{local}@{WORKSPACE_DOMAIN}", name=who.full_name, role=role,
            department=departments[i % len(departments)], status=status,
            created_at=anchor - timedelta(days=rng.uniform(60, 900)),
            client_type=rng.choice(("desktop_web", "desktop_web", "macos_app", "unknown")),
        ))
    return sorted(users, key=lambda u: u.id)


def _file_name(rng, fmt: str, topic: str) -> str:
    stem = rng.choice(FILE_STEMS[fmt])
    suffix = rng.choice(("", f"_q{rng.randint(1, 4)}", f"_v{rng.randint(2, 5)}", "_final", f"_{rng.randint(2023, 2026)}"))
    return f"{topic}_{stem}{suffix}.{fmt}"


def _assistant(seed: int, kind: str, index: int, users: list[User], anchor: datetime,
               files: dict[str, StoredFile]) -> Assistant:
    rng = randomness.stream(seed, kind, index)
    topic_name = prose.TOPICS[(index * 5 + (0 if kind == "gpt" else 3)) % len(prose.TOPICS)].name
    topic = TOPIC_INDEX[topic_name]
    assistant_id = randomness.gpt_id(rng) if kind == "gpt" else randomness.project_id(rng)
    owner = rng.choice(users)
    created = anchor - timedelta(days=rng.uniform(20, 300))
    formats = KNOWLEDGE_FORMATS if kind == "gpt" else PROJECT_FORMATS
    file_ids = []
    for n in range(rng.randint(1, 2)):
        fmt = formats[(index + n) % len(formats)]
        stored = StoredFile(id=randomness.file_id(rng), name=_file_name(rng, fmt, topic_name), format=fmt,
                            owner_kind=kind, owner_id=assistant_id, created_at=created + timedelta(minutes=n + 1),
                            content_seed=f"{seed}|{kind}-file|{index}|{n}", topic=topic, plant=True)
        files[stored.id] = stored
        file_ids.append(stored.id)
    name = ASSISTANT_NAMES[topic_name][index // len(prose.TOPICS) % 2]
    if index >= len(prose.TOPICS):
        name = f"{name} {index // len(prose.TOPICS) + 1}"
    configs = []
    versions = rng.randint(1, 3)
    for v in range(versions):
        at = created + timedelta(days=v * rng.uniform(1, 15))
        prefix = "gzm_cnf_" if kind == "gpt" else "pr_cnf_"
        configs.append(ConfigVersion(
            id=prefix + randomness.hex_string(rng, 24), created_at=at, name=name,
            description=f"Helps the team with {topic_name} questions.",
            instructions=secret_instructions(rng, name, 0.2),
            conversation_starters=tuple(rng.sample(prose.TOPICS[topic].asks, k=3)),
            categories=(rng.choice(("productivity", "other", "research")),),
            tools=tuple(rng.sample(("code_interpreter", "browser", "dall-e", "memory"), k=rng.randint(0, 2))),
            action=_custom_action(rng, at) if kind == "gpt" and rng.random() < 0.7 else None,
            author_id=owner.id,
        ))
    shared = tuple(sorted(u.id for u in rng.sample(users, k=min(len(users), rng.randint(0, 3))) if u.id != owner.id))
    visibility = rng.choice(("invite-only", "workspace-with-link", "workspace"))
    return Assistant(kind=kind, id=assistant_id, owner_id=owner.id, created_at=created, visibility=visibility,
                     shared_user_ids=shared, configs=tuple(configs), file_ids=tuple(file_ids), topic=topic)


_OPENAPI = """openapi: 3.1.0
info:
  title: {service} API
  version: 1.{minor}.0
servers:
  - url: https://{domain}/v1
paths:
  /{resource}:
    get:
      operationId: list{Resource}
      summary: List {resource} for the current user
      parameters:
        - name: limit
          in: query
          schema:
            type: integer
"""


def _custom_action(rng, at: datetime) -> CustomAction:
    service, domain, resource = rng.choice((
        ("Tickets", "tickets.contoso-labs.com", "tickets"), ("Inventory", "inventory.contoso-labs.com", "items"),
        ("Billing", "billing-api.contoso-labs.com", "invoices"), ("Directory", "people.contoso-labs.com", "people"),
    ))
    text = _OPENAPI.format(service=service, minor=rng.randint(0, 9), domain=domain, resource=resource,
                           Resource=resource.capitalize())
    body = plain(text)
    if rng.random() < 0.5:
        # An example header with a live key pasted into the spec: a classic leak.
        key = rng.choice((credentials.openai_key, credentials.stripe_key, credentials.google_api_key))(rng)
        body = join([body, fill("      x-example-headers:\n        Authorization: Bearer {v}\n", {"v": key})], sep="")
    return CustomAction(domain=domain, openapi_raw=body, privacy_policy_url=f"https://{domain}/privacy",
                        auth_type=rng.choice(("oauth", "api_key", "none")), created_at=at)


def _conversations(seed: int, config: GeneratorConfig, anchor: datetime, users: list[User],
                   gpts: list[Assistant], projects: list[Assistant],
                   files: dict[str, StoredFile]) -> list[ConversationStub]:
    count = config.conversations
    with_files = min(config.attachments, count)
    # Which conversations carry an upload, and which of those uploads is already past retention.
    chooser = randomness.stream(seed, "attachments")
    carrying = sorted(chooser.sample(range(count), k=min(count, _carrier_count(config, with_files))))
    expired = set(carrying[: config.expired_uploads])
    per_carrier = _spread(config.attachments, len(carrying))
    carrier_slot = {index: n for n, index in enumerate(carrying)}
    upload_counter = 0
    stubs = []
    for index in range(count):
        rng = randomness.stream(seed, "conversation", index)
        user = rng.choice(users)
        turns = rng.randint(config.min_turns, config.max_turns)
        gpt = project = None
        roll = rng.random()
        if gpts and roll < config.gpt_conversation_rate:
            gpt = rng.choice(gpts)
        elif projects and roll < config.gpt_conversation_rate + config.project_conversation_rate:
            project = rng.choice(projects)
        if gpt or project:
            topic = (gpt or project).topic
        else:
            topic = TOPIC_INDEX[rng.choice(DEPARTMENTS[user.department])]
        n_files = per_carrier[carrier_slot[index]] if index in carrier_slot else 0
        span = timedelta(seconds=conversations.duration(seed, index, turns, n_files > 0))
        latest = anchor - QUIET_MARGIN - span
        if index in expired:
            earliest_age = timedelta(hours=60)
        elif n_files:
            earliest_age = timedelta(hours=1)
        else:
            earliest_age = timedelta(0)
        window = timedelta(hours=40) if n_files and index not in expired else timedelta(days=config.days)
        window = max(window - earliest_age, timedelta(minutes=1))
        created = latest - earliest_age - window * rng.random()
        conversation_id = randomness.conversation_id(rng)
        attachment_ids = []
        for n in range(n_files):
            # Uploads cycle through the formats, so even a small workspace has one of each.
            fmt = UPLOAD_FORMATS[upload_counter % len(UPLOAD_FORMATS)]
            upload_counter += 1
            stored = StoredFile(
                id=randomness.file_id(rng), name=_file_name(rng, fmt, prose.TOPICS[topic].name), format=fmt,
                owner_kind="user", owner_id=user.id, created_at=created, content_seed=f"{seed}|upload|{index}|{n}",
                topic=topic, plant=index not in expired and fmt != "png", conversation_id=conversation_id,
            )
            files[stored.id] = stored
            attachment_ids.append(stored.id)
        stubs.append(ConversationStub(
            index=index, id=conversation_id, user_id=user.id, created_at=created, turns=turns, topic=topic,
            temporary=rng.random() < config.temporary_chat_rate, gpt_id=gpt.id if gpt else None,
            project_id=project.id if project else None, attachment_ids=tuple(attachment_ids),
        ))
    return stubs


def _carrier_count(config: GeneratorConfig, uploads: int) -> int:
    # Mostly one upload per carrying conversation; larger scales put up to three in one message.
    if uploads <= 0:
        return 0
    return max(1, min(uploads, max(config.expired_uploads, (uploads * 2 + 2) // 3)))


def _spread(total: int, slots: int) -> list[int]:
    if slots == 0:
        return []
    # Extra files go to the last carriers: the first ones hold the expired uploads, one file each.
    base, extra = divmod(total, slots)
    return [base + (1 if i >= slots - extra else 0) for i in range(slots)]


def _library_uploads(seed: int, config: GeneratorConfig, anchor: datetime, users: list[User],
                     files: dict[str, StoredFile]) -> None:
    """Files users uploaded that no conversation references: only the per-user library listing finds them."""
    active = [u for u in users if u.status == "active"] or users
    for index in range(config.library_uploads):
        rng = randomness.stream(seed, "library", index)
        user = active[index % len(active)]
        fmt = ("docx", "xlsx", "pdf", "csv", "txt")[index % 5]
        topic = TOPIC_INDEX[rng.choice(DEPARTMENTS[user.department])]
        stored = StoredFile(
            id=randomness.file_id(rng), name=_file_name(rng, fmt, prose.TOPICS[topic].name), format=fmt,
            owner_kind="user", owner_id=user.id, created_at=anchor - timedelta(hours=rng.uniform(1, 40)),
            content_seed=f"{seed}|library|{index}", topic=topic, plant=True,
        )
        files[stored.id] = stored


PLUGIN_EVENT_TYPES = ("CHATGPT_PLUGIN_DOCUMENT", "CHATGPT_PLUGIN_PRESENTATION", "CHATGPT_PLUGIN_SPREADSHEET")


def _activities(seed: int, config: GeneratorConfig, anchor: datetime, users: list[User]) -> list[ActivityStub]:
    """Codex turns, custom-agent runs and plugin prompts, spread over the activity window."""
    stubs = []
    plan = [("CODEX_LOG", i) for i in range(config.codex_turns)]
    plan += [("CUSTOM_AGENTS_LOG", i) for i in range(config.agent_runs)]
    plan += [(PLUGIN_EVENT_TYPES[i % len(PLUGIN_EVENT_TYPES)], i // len(PLUGIN_EVENT_TYPES))
             for i in range(config.plugin_prompts)]
    for event_type, index in plan:
        rng = randomness.stream(seed, "activity", event_type, index)
        user = rng.choice(users)
        at = anchor - QUIET_MARGIN - timedelta(days=config.days) * rng.random()
        stubs.append(ActivityStub(event_type, index, user.id, at))
    return stubs


def _app_calls(seed: int, config: GeneratorConfig, anchor: datetime, users: list[User],
               stubs: list[ConversationStub]) -> list[AppCallStub]:
    calls = []
    for index in range(config.app_calls):
        rng = randomness.stream(seed, "app-call", index)
        stub = rng.choice(stubs) if stubs else None
        if stub is not None:
            at = stub.created_at + timedelta(seconds=rng.uniform(5, 40))
            user_id = stub.user_id
        else:
            at = anchor - QUIET_MARGIN - timedelta(days=config.days) * rng.random()
            user_id = rng.choice(users).id
        calls.append(AppCallStub(index=index, user_id=user_id, conversation_id=stub.id if stub else None,
                                 at=at, app=rng.randrange(1 << 16)))
    return calls


def _simple_events(seed: int, config: GeneratorConfig, anchor: datetime, users: list[User]) -> list[SimpleEventStub]:
    events = []
    span = timedelta(days=config.days)
    for user_number, user in enumerate(users):
        rng = randomness.stream(seed, "auth", user_number)
        for n in range(config.auth_events_per_user):
            at = anchor - QUIET_MARGIN - span * rng.random()
            events.append(SimpleEventStub("AUTH_LOG", user_number * 1000 + n, at, user.id))
    admins = [u for u in users if u.role != "standard-user"] or users
    rng = randomness.stream(seed, "admin-audit")
    for n in range(config.admin_audit_events):
        events.append(SimpleEventStub("AUDIT_LOG", n, anchor - QUIET_MARGIN - span * rng.random(),
                                      rng.choice(admins).id))
    rng = randomness.stream(seed, "costs")
    for day in range(min(config.days, 30)):
        events.append(SimpleEventStub("COSTS", day, anchor - QUIET_MARGIN - timedelta(days=day, hours=rng.uniform(0, 2)),
                                      None))
    return events
