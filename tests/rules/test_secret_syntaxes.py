"""The generic secret rules find a credential by the name it is given, whatever the syntax around
it: every assignment form of common languages and config formats, with seeded random values and
provider-like names, and the same forms with placeholders or code find nothing.

Speed is never asserted here; `python -m bench --only detection` measures it."""

from __future__ import annotations

import random
import string

import pytest

from detectors.engine import Engine

# {n}: a lower-case provider name, {N}: the same in capitals, {v}: the value
TOKEN_FORMS = [
    '{n}Token="{v}"', "{n}Token = {v}", '{{\n  "{n}_token": "{v}"\n}}', '\\{{\\"{n}_token\\": \\"{v}\\"\\}}',
    "<{n}Token>{v}</{n}Token>", "<{n}Token>\n    {v}\n</{n}Token>", "{n}_token: {v}", "{n}_token: '{v}'",
    "{n}_token: |\n  {v}", "{n}_token: >-\n  {v}", 'string {n}Token = "{v}";', 'var {n}Token string = "{v}"',
    "{n}Token := `{v}`", 'final String {n}ApiKey = "{v}";', '${n}Token .= "{v}"', "{n}Token = '{v}'",
    "{n}Token,{v},", '  "{n}Token" => "{v}"', '{N}_TOKEN ::= "{v}"', '{N}_TOKEN ?= "{v}"', '{N}_TOKEN += "{v}"',
    '{n}Token ??= "{v}"', '<add key="{n}ApiKey" value="{v}" />', "export {N}_SECRET_KEY={v}",
    'headers["X-{N}-Key"] = "{v}"', 'client.setApiKey("{v}")', "{N}_CLIENT_SECRET: {v}  # prod",
    "https://api.{n}.io/v2/items?api_key={v}&page=2", "--{n}-token {v}", "{n} api key = {v}",
    'apikey[]= "{v}"', '{n}_auth "{v}";', "{n} token - '{v}'", "{n}_secret | {v}",
]
PASSWORD_FORMS = [
    'db_password = "{p}"', "DB_PASSWORD={p}", "password: {p}", '"password": "{p}"', "<password>{p}</password>",
    '<add key="SmtpPassword" value="{p}"/>', 'new NetworkCredential("svc-{n}", "{p}")', "mysql -u app -p{p} {n}",
    "curl -u svc-{n}:{p} https://{n}.example.org", "machine {n}.io login ci password {p}",
    'if password == "{p}":', ":password => '{p}',", "The password for {n} is '{p}'.",
]
PLACEHOLDERS = ["${{{N}_TOKEN}}", "<your-{n}-token>", "{{{{ {n}_token }}}}", "xxxxxxxxxxxxxxxx", "%{N}_TOKEN%",
                "process.env.{N}_TOKEN", "config.{n}.token", "get{N}Token()"]
NAMES = ["acme", "zephyr", "northwind", "orbit", "kestrel"]


def _token(rng: random.Random, length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    value = "".join(rng.choice(alphabet) for _ in range(length - 2))
    return value[: length // 2] + rng.choice(string.digits) + rng.choice(string.ascii_lowercase) + value[length // 2:]


def _password(rng: random.Random) -> str:
    return rng.choice(["Harbour", "Lantern", "Quarry", "Tundra"]) + rng.choice("!#@%") + str(rng.randint(10, 9999))


def _secret_spans(engine: Engine, text: str) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in engine.analyze(text) if m.entity == "SECRET"]


@pytest.mark.parametrize("form", TOKEN_FORMS)
def test_a_random_token_is_found_in_every_assignment_syntax(default_engine: Engine, form: str) -> None:
    rng = random.Random(form)
    for name in NAMES[:3]:
        value = _token(rng, rng.choice([20, 32, 40, 64]))
        text = form.format(n=name, N=name.upper(), v=value)
        at = text.index(value)
        assert any(s < at + len(value) and at < e for s, e in _secret_spans(default_engine, text)), text


@pytest.mark.parametrize("form", PASSWORD_FORMS)
def test_a_password_is_found_in_every_assignment_syntax(default_engine: Engine, form: str) -> None:
    rng = random.Random(form)
    for name in NAMES[3:]:
        value = _password(rng)
        text = form.format(n=name, p=value)
        at = text.index(value)
        assert any(s < at + len(value) and at < e for s, e in _secret_spans(default_engine, text)), text


@pytest.mark.parametrize("form", [f for f in TOKEN_FORMS if "{v}" in f and "api_key={v}&" not in f][:12])
@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_placeholders_and_code_are_never_reported_in_any_syntax(default_engine: Engine, form: str,
                                                                 placeholder: str) -> None:
    name = "orbit"
    value = placeholder.format(n=name, N=name.upper())
    text = form.format(n=name, N=name.upper(), v=value)
    assert _secret_spans(default_engine, text) == [], text


def test_a_key_is_reported_wherever_the_text_repeats_it(default_engine: Engine) -> None:
    value = _token(random.Random(7), 32)
    text = f"acme_token = '{value}'\n...\nretry with {value} if the first call fails ({value})"
    spans = _secret_spans(default_engine, text)
    assert len(spans) == 3 and all(text[s:e] == value for s, e in spans)


def test_one_secret_is_reported_once_by_the_rule_that_names_it(default_engine: Engine) -> None:
    value = "ghp_" + _token(random.Random(11), 36)
    matches = [m for m in default_engine.analyze(f'GITHUB_TOKEN="{value}"') if m.entity == "SECRET"]
    assert [m.rule_id for m in matches] == ["GITHUB_PAT_CLASSIC"]
