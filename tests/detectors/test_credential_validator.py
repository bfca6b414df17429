"""The credential_value validator: what a value assigned to a credential name must look like.
Known values both ways, and properties: random tokens pass, identifiers made of words,
templates and typed sequences do not."""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detectors.validators import BUILTIN
from detectors.validators.credential import (
    credential_value,
    is_code,
    is_placeholder,
    is_word_identifier,
    looks_random,
)

WORDS = ["user", "password", "access", "token", "secret", "client", "api", "key", "default", "service",
         "account", "config", "database", "admin", "session", "refresh", "private", "signing", "value", "new"]


def test_the_validator_is_registered_with_its_arguments() -> None:
    check, boost = BUILTIN.build("credential_value", {"kind": "password", "words": False})
    assert boost > 0 and check("Rv9kQ2mX7z") and not check("user_password")
    with pytest.raises(ValueError, match="kind"):
        BUILTIN.build("credential_value", {"kind": "pin"})
    with pytest.raises(ValueError, match="words"):
        BUILTIN.build("credential_value", {"words": "no"})
    with pytest.raises(ValueError, match="takes no argument"):
        BUILTIN.build("credential_value", {"entropy": 3})


@pytest.mark.parametrize("value", [
    "q8Zr2LmXv7Kp4Tn9Wc1Hb6Jd3Fs5Gy0A", "7d1f0c9a8b2e4f6a3c5d", "b81f0e27-c94d-4a6f-9a35-2e6c1d0f7a44",
    "mq83hz6ty0vk2sl5wb9x", "Xk2/9mQp+Lz7Wv4Rt8Nc3Hb6Jd1Fs5Gy0AeUi2Ko=", "vT7qX2mK9pL4.zR8wN3cH6bJ1",
    "k3t9zq7m", "QWPZKXLMVBNRTYHJGFDSCVBNMKLPOIUYTREWQZXCVB",
])
def test_machine_made_tokens_pass(value: str) -> None:
    assert looks_random(value) and credential_value(value)


@pytest.mark.parametrize("value", [
    "getAccessToken", "user_password", "MY_API_KEY", "api-key-here", "ConnectionString_B2B", "brandfetchAPIKey",
    "abcdef1234567890", "a1b2c3d4e5f6g7h8", "1234567890123456", "9876-5432-1098", "aaaaaaaaaaaaaaaa",
    "token12", "Password1",
])
def test_words_sequences_and_short_values_are_not_tokens(value: str) -> None:
    assert not credential_value(value)


@pytest.mark.parametrize("value", [
    "${DB_PASSWORD}", "${DB_PASS", "{{ vault_token }}", "<your-api-key>", "&lt;password&gt;", "%API_KEY%", "$TOKEN",
    "#{secret}", "@TOKEN@", "__SECRET__", "{token}", ":password", "xxxxxxxx", "********", "changeme123", "none",
    "your_token_here", "sk-REPLACE_ME", "example-secret", "redacted", "password123", "string",
])
def test_placeholders_are_never_credentials(value: str) -> None:
    assert is_placeholder(value)
    assert not credential_value(value, "password") and not credential_value(value)


@pytest.mark.parametrize("value", [
    "self.password", "config.db.pwd", "settings.SECRET_KEY", "os.environ", "getenv('PW')", "request.form['pw']",
    "process.env.API_KEY", "$_POST['password']", "$(cat /run/secrets/db)", "^(?=.*[A-Z]).{8,}$", "token||fallback",
])
def test_code_is_never_a_credential(value: str) -> None:
    assert is_code(value)
    assert not credential_value(value, "password")


@pytest.mark.parametrize("value", [
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-Q7xk2L", "vault:secret/data/app#token",
    "ops@acme-corp.io", "db01.internal", "2025-03-01T10:00:00Z", "https://id.acme.net/oauth/token",
    "/etc/ssl/private/server.key", "config/keys/prod", "keys/service-account.json",
])
def test_references_addresses_and_paths_are_not_credentials(value: str) -> None:
    assert not credential_value(value, "password") and not credential_value(value)


def test_passwords_may_be_words_only_where_the_rule_says_the_value_is_a_literal() -> None:
    for value in ("lighthouse", "harbour77", "tiger-lily-42", "Summer2024!Blue"):
        assert credential_value(value, "password")
    assert not credential_value("lighthouse", "password", words=False)
    assert credential_value("Summer2024!Blue", "password", words=False)
    assert not credential_value("abc", "password")  # shorter than the default minimum of 4
    assert credential_value("abcd9", "password", min_length=5)


@given(seed=st.integers(0, 2**32 - 1), length=st.integers(20, 64))
def test_random_alphanumeric_strings_pass(seed: int, length: int) -> None:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    # a generated key mixes classes throughout: a digit and a letter near its middle
    value = "".join(rng.choice(alphabet) for _ in range(length - 2)) + rng.choice(string.digits) + "k"
    value = value[: length // 2] + rng.choice(string.digits) + value[length // 2:]
    assert credential_value(value)


@given(parts=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), style=st.sampled_from(["snake", "camel",
                                                                                                 "kebab", "upper"]))
def test_identifiers_made_of_words_are_not_tokens(parts: list[str], style: str) -> None:
    if style == "snake":
        value = "_".join(parts)
    elif style == "kebab":
        value = "-".join(parts)
    elif style == "upper":
        value = "_".join(parts).upper()
    else:
        value = parts[0] + "".join(p.capitalize() for p in parts[1:])
    assert is_word_identifier(value)
    assert not credential_value(value)
    assert not credential_value(value, "password", words=False)


@given(name=st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{2,20}", fullmatch=True),
       template=st.sampled_from(["${%s}", "{{ %s }}", "<%s>", "%%%s%%", "$%s", "#{%s}"]))
def test_templates_around_any_name_are_placeholders(name: str, template: str) -> None:
    assert is_placeholder(template % name)
