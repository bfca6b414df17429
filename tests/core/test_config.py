from pathlib import Path

import pytest

from dlp.config import ApiConfig, ConfigError, load_config, read_api_key


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dlp.yaml"
    path.write_text(text)
    return path


def test_defaults_without_a_file():
    config = load_config(None)
    assert config.api.url == "https://api.chatgpt.com/v1"
    assert config.ingest.event_types[:2] == ("CONVERSATION_MESSAGE", "APP_LOG")
    assert {"CODEX_LOG", "CUSTOM_AGENTS_LOG", "CHATGPT_PLUGIN_DOCUMENT"} <= set(config.ingest.event_types)
    assert config.ingest.lookback_days == 30
    # the documented limits per rolling minute: never above 100 on any route, 50 on the stateful lists
    assert (config.api.list_per_minute, config.api.item_per_minute, config.api.logs_per_minute) == (50, 100, 100)


def test_full_file_is_read(tmp_path):
    config = load_config(
        write(
            tmp_path,
            """
api:
  url: http://127.0.0.1:9/v1
  workspace_id: 11bf645e-d5e8-4478-a70e-e5742ded2436
  list_per_minute: 10
scope:
  users:
    exclude: [ceo@example.com]
    email_regex: "@example\\\\.com$"
  gpts:
    include: [g-1]
ingest:
  event_types: CONVERSATION_MESSAGE
  lookback_days: 7
extract:
  max_file_mb: 5
  include_types: [pdf, docx]
workers: 0
""",
        )
    )
    assert config.api.list_per_minute == 10
    assert config.scope.users.exclude == ("ceo@example.com",)
    assert config.scope.gpts.include == ("g-1",)
    assert config.ingest.event_types == ("CONVERSATION_MESSAGE",)
    assert config.extract.include_types == frozenset({"pdf", "docx"})
    assert config.workers == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("api:\n  urll: x\n", "unknown key 'api.urll'"),
        ("scope:\n  users:\n    exclud: [a]\n", "unknown key 'scope.users.exclud'"),
        ("api:\n  list_per_minute: fast\n", "'api.list_per_minute' must be a number"),
        ("ingest:\n  users: 'yes'\n", "'ingest.users' must be true or false"),
        ("scope:\n  users:\n    email_regex: '('\n", "scope.users.email_regex: not a valid regular expression"),
        ("ingest:\n  lookback_days: 0\n", "ingest.lookback_days must be at least 1"),
        ("api: [1, 2]\n", "'api' must be a mapping"),
    ],
)
def test_bad_config_names_the_key(tmp_path, text, expected):
    with pytest.raises(ConfigError) as excinfo:
        load_config(write(tmp_path, text))
    assert expected in str(excinfo.value)
    assert "dlp.yaml" in str(excinfo.value)


def test_invalid_yaml_names_the_line(tmp_path):
    with pytest.raises(ConfigError, match=r"dlp.yaml:3: not valid YAML"):
        load_config(write(tmp_path, "api:\n  url: x\n  - y\n"))


def test_api_key_from_env_or_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-from-env-1234567890")
    assert read_api_key(ApiConfig(key_env="MY_KEY")) == "sk-from-env-1234567890"
    secret = tmp_path / "key"
    secret.write_text("sk-from-file-123456789\n")
    assert read_api_key(ApiConfig(key_env="MY_KEY", key_file=str(secret))) == "sk-from-file-123456789"
    with pytest.raises(ConfigError, match="api.key_file: cannot read"):
        read_api_key(ApiConfig(key_file=str(tmp_path / "missing")))
