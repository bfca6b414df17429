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


def test_config_search_path_is_cwd_then_xdg_then_etc(tmp_path):
    from dlp.config import config_search_path, find_config

    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}
    assert config_search_path(env, tmp_path / "cwd") == [
        tmp_path / "cwd" / "dlp.yaml", tmp_path / "xdg" / "dlp" / "dlp.yaml", Path("/etc/dlp/dlp.yaml"),
    ]  # fmt: skip
    assert config_search_path({"HOME": str(tmp_path / "home")}, tmp_path)[1] == tmp_path / "home/.config/dlp/dlp.yaml"
    (tmp_path / "xdg" / "dlp").mkdir(parents=True)
    (tmp_path / "xdg" / "dlp" / "dlp.yaml").write_text("workers: 0\n")
    assert find_config(None, env, tmp_path / "cwd") == tmp_path / "xdg" / "dlp" / "dlp.yaml"
    assert find_config("named.yaml", env, tmp_path / "cwd") == Path("named.yaml")


def test_paths_in_a_config_file_are_relative_to_its_folder(tmp_path):
    path = write(tmp_path, """
store:
  database: data/findings.duckdb
  evidence_dir: /var/lib/dlp/evidence
detect:
  rule_paths: [rules/, ~/shared-rules]
  policy: policies/strict.yaml
api:
  key_file: secrets/key
scope:
  users:
    include_file: people.txt
triage:
  suppression_files: [suppressions.txt]
alerts:
  receivers:
    - {name: soc, url_file: secrets/webhook-url, secret_file: /run/secrets/hmac}
""")
    config = load_config(path)
    assert config.store.database == str(tmp_path / "data/findings.duckdb")
    assert config.store.evidence_dir == "/var/lib/dlp/evidence"
    assert config.detect.rule_paths == (str(tmp_path / "rules"), str(Path("~/shared-rules").expanduser()))
    assert config.detect.policy == str(tmp_path / "policies/strict.yaml")
    assert config.api.key_file == str(tmp_path / "secrets/key")
    assert config.scope.users.include_file == str(tmp_path / "people.txt")
    assert config.triage.suppression_files == (str(tmp_path / "suppressions.txt"),)
    receiver = config.alerts.receivers[0]
    assert (receiver.url_file, receiver.secret_file) == (str(tmp_path / "secrets/webhook-url"), "/run/secrets/hmac")
    assert load_config(write(tmp_path, "detect:\n  policy: strict\n")).detect.policy == "strict"  # a policy name


@pytest.mark.parametrize("text, expected", [
    ("api:\n  url: http://api.example.com/v1\n", "api.url: refusing plain http to api.example.com"),
    ("api:\n  url: ftp://api.example.com\n", "api.url: 'ftp://api.example.com' is not an http(s) URL"),
    ("api:\n  url: https://user:pw@api.example.com:x/v1\n", "api.url: 'https://user:***@api.example.com:x/v1' is not a URL"),
    ("api:\n  workspace_id: not-a-uuid\n", "api.workspace_id: 'not-a-uuid' is not a workspace id"),
    ("extract:\n  include_types: [pdf, exe]\n", "extract: unknown file type(s) in include_types: exe"),
])  # fmt: skip
def test_values_that_would_go_into_requests_are_checked(tmp_path, text, expected):
    with pytest.raises(ConfigError) as excinfo:
        load_config(write(tmp_path, text))
    assert expected in str(excinfo.value)


def test_http_is_accepted_for_loopback_only():
    from dlp.config import check_api_url

    for url in ("http://127.0.0.1:8080/v1", "http://localhost/v1", "http://[::1]:9/v1", "https://api.chatgpt.com/v1"):
        assert check_api_url(url) == url


def test_lookback_over_the_retention_is_a_warning(tmp_path):
    from dlp.config import config_warnings

    config = load_config(write(tmp_path, "ingest:\n  lookback_days: 45\n"))
    assert config_warnings(config) == [
        "ingest.lookback_days is 45, but the Logs Platform keeps 30 days: capped at 30"
    ]
    assert config_warnings(load_config(None)) == []


def test_the_api_key_is_stripped_and_must_be_one_token(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_KEY", "  sk-padded-1234567890\n")
    assert read_api_key(ApiConfig(key_env="MY_KEY")) == "sk-padded-1234567890"
    monkeypatch.setenv("MY_KEY", "sk-two 1234567890")
    with pytest.raises(ConfigError, match=r"\$MY_KEY: the API key contains spaces or line breaks"):
        read_api_key(ApiConfig(key_env="MY_KEY"))
    monkeypatch.setenv("MY_KEY", "   ")
    assert read_api_key(ApiConfig(key_env="MY_KEY")) is None
