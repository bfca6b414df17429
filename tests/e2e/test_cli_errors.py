"""Every bad input is one clear error line with exit code 2, before any request where it can be known."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import typer
from typer.testing import CliRunner

from dlp.cli import DlpGroup, app
from dlp.commands.options import verbose_option
from dlp.emulator.server import EmulatorServer
from tests.e2e.cli_support import WORKSPACE_ID, tiny_settings, write_config

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny_server():
    with EmulatorServer(tiny_settings()) as server:
        yield server


def requests_served(server: EmulatorServer) -> int:
    return len(server.state.request_log)


def assert_one_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    assert "Traceback" not in result.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def web_page() -> Iterator[callable]:
    """A loopback web server that answers every GET with an HTML page and the status asked for."""
    servers = []

    def serve(status: int) -> str:
        class Page(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = b"<html><body>Sign in to continue</body></html>"
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v1"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


# -- the API: URL, host, key, workspace ------------------------------------------------------


def test_an_unreachable_host_fails_at_once_naming_host_and_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("DLP_API_KEY", "sk-test-key-0000000000000000")
    port = free_port()
    result = runner.invoke(app, ["check", "--api-url", f"http://127.0.0.1:{port}/v1", "--workspace-id", WORKSPACE_ID])
    assert result.exit_code == 2
    assert f"cannot reach 127.0.0.1:{port}: Connection refused" in result.output
    scan = runner.invoke(app, ["scan", "--api-url", f"http://127.0.0.1:{port}/v1", "--workspace-id", WORKSPACE_ID,
                               "--db", str(tmp_path / "x.duckdb"), "-v"])  # fmt: skip
    assert_one_error(scan, f"cannot reach 127.0.0.1:{port}: Connection refused")
    assert "retrying" not in scan.output  # no backoff on a refused first connection


@pytest.mark.parametrize("status", [404, 200])
def test_a_url_that_answers_but_is_not_the_compliance_api_says_so(web_page, status, monkeypatch, tmp_path):
    monkeypatch.setenv("DLP_API_KEY", "sk-test-key-0000000000000000")
    url = web_page(status)
    result = runner.invoke(app, ["scan", "--api-url", url, "--workspace-id", WORKSPACE_ID,
                                 "--db", str(tmp_path / "x.duckdb")])  # fmt: skip
    assert_one_error(result, f"HTTP {status} (text/html), not as the Compliance API does: check api.url")


def test_a_password_inside_the_url_is_never_printed(monkeypatch, tmp_path):
    monkeypatch.setenv("DLP_API_KEY", "sk-test-key-0000000000000000")
    url = f"http://admin:hunter2secret@127.0.0.1:{free_port()}/v1"
    for command in (["check"], ["scan", "-v", "--db", str(tmp_path / "x.duckdb")]):
        result = runner.invoke(app, [*command, "--api-url", url, "--workspace-id", WORKSPACE_ID])
        assert result.exit_code == 2
        assert "hunter2secret" not in result.output and "admin:***@127.0.0.1" in result.output


def test_plain_http_to_another_host_is_refused_before_any_request(monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", "sk-test-key-0000000000000000")
    result = runner.invoke(app, ["scan", "--api-url", "http://compliance.example.com/v1", "--workspace-id", WORKSPACE_ID])
    assert_one_error(result, "--api-url: refusing plain http to compliance.example.com", "Use https")


@pytest.mark.parametrize("workspace_id, hint", [
    ("org-AbCdEf0123456789", "an 'org-...' id is an API-platform organization"),
    ("../../users", "is not a workspace id"),
    ("11bf645e-d5e8-4478-a70e-e5742ded2436/logs?x=", "is not a workspace id"),
])  # fmt: skip
def test_a_workspace_id_that_is_not_an_id_is_refused_before_any_request(tiny_server, monkeypatch, workspace_id, hint):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    before = requests_served(tiny_server)
    result = runner.invoke(app, ["scan", "--api-url", tiny_server.base_url, "--workspace-id", workspace_id])
    assert_one_error(result, "--workspace-id:", hint, "expected the workspace UUID")
    assert requests_served(tiny_server) == before


def test_a_workspace_id_in_the_config_is_checked_too(tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", "sk-test-key-0000000000000000")
    config = tmp_path / "dlp.yaml"
    config.write_text("api:\n  workspace_id: sk-proj-pastedthekeyhere12345678\n")
    result = runner.invoke(app, ["scan", "-c", str(config)])
    assert_one_error(result, f"{config}: api.workspace_id: 'sk-...5678' is not a workspace id")
    assert "pastedthekeyhere" not in result.output  # a key pasted in the wrong place is still masked


def test_an_unknown_workspace_exits_2(tiny_server, tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    result = runner.invoke(app, ["scan", "--api-url", tiny_server.base_url, "--workspace-id", WORKSPACE_ID,
                                 "--db", str(tmp_path / "x.duckdb")])  # fmt: skip
    # The documented API answers another workspace's id with 403 on every route (older servers: 404 on users).
    assert_one_error(result, f"workspace {WORKSPACE_ID}", "api.workspace_id")


def test_a_key_with_surrounding_whitespace_is_stripped(tiny_server, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", f"  {tiny_server.api_key}\n")
    result = runner.invoke(app, ["check", "--api-url", tiny_server.base_url, "--workspace-id", tiny_server.workspace_id])
    assert result.exit_code == 0, result.output


def test_a_key_with_whitespace_inside_is_refused_without_printing_it(monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", "sk-first-half-0000 sk-second-half-1111")
    result = runner.invoke(app, ["check", "--workspace-id", WORKSPACE_ID])
    assert_one_error(result, "$DLP_API_KEY: the API key contains spaces or line breaks")
    assert "first-half" not in result.output


def test_a_missing_key_or_workspace_says_where_they_come_from(monkeypatch):
    monkeypatch.delenv("DLP_API_KEY", raising=False)
    monkeypatch.delenv("DLP_WORKSPACE_ID", raising=False)
    assert_one_error(runner.invoke(app, ["scan", "--workspace-id", WORKSPACE_ID]), "no API key", "DLP_API_KEY")
    monkeypatch.setenv("DLP_API_KEY", "sk-test-key-0000000000000000")
    assert_one_error(runner.invoke(app, ["check"]), "no workspace id", "--workspace-id", "$DLP_WORKSPACE_ID")


# -- the config file ----------------------------------------------------------------------------


def test_lookback_over_30_days_warns_in_the_config_as_with_the_flag(tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", "sk-test-key-0000000000000000")
    config = tmp_path / "dlp.yaml"
    config.write_text(f"api:\n  url: http://127.0.0.1:{free_port()}/v1\n  workspace_id: {WORKSPACE_ID}\n"
                      "ingest:\n  lookback_days: 90\n")  # fmt: skip
    from_file = runner.invoke(app, ["check", "-c", str(config)])
    assert f"warning: {config}: ingest.lookback_days is 90, but the Logs Platform keeps 30 days: capped at 30" in from_file.stderr
    from_flag = runner.invoke(app, ["scan", "-c", str(config), "--lookback-days", "45"])
    assert "warning: --lookback-days is 45, but the Logs Platform keeps 30 days: capped at 30" in from_flag.stderr
    assert_one_error(runner.invoke(app, ["scan", "-c", str(config), "--lookback-days", "0"]), "--lookback-days must be at least 1")


def test_unknown_include_types_name_the_key_and_the_known_types(tmp_path):
    config = tmp_path / "dlp.yaml"
    config.write_text("extract:\n  include_types: [pdf, docx, pdff]\n")
    assert_one_error(runner.invoke(app, ["scan", "-c", str(config)]),
                     "extract: unknown file type(s) in include_types: pdff; known: 7z, bzip2, code")  # fmt: skip


def test_a_missing_or_broken_config_file_is_named(tmp_path):
    assert_one_error(runner.invoke(app, ["scan", "-c", str(tmp_path / "nope.yaml")]), "nope.yaml: config file not found")
    broken = tmp_path / "broken.yaml"
    broken.write_text("api:\n  url: x\n  - y\n")
    assert_one_error(runner.invoke(app, ["check", "-c", str(broken)]), "broken.yaml:3: not valid YAML")


def test_a_database_path_that_is_a_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", "sk-test-key-0000000000000000")
    result = runner.invoke(app, ["scan", "--workspace-id", WORKSPACE_ID, "--db", str(tmp_path)])
    assert_one_error(result, f"{tmp_path} is a folder")


def test_a_missing_ner_model_names_the_package_to_install_before_any_request(tiny_server, tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    config = write_config(tiny_server, tmp_path, "detect:\n  ner_model: en_core_web_nothere_xx\n")
    before = requests_served(tiny_server)
    result = runner.invoke(app, ["scan", "-c", str(config)])
    assert_one_error(result, "spaCy model 'en_core_web_nothere_xx' needed by the NER rules", "pip install en-core-web-nothere-xx")
    assert requests_served(tiny_server) == before


# -- inspect and query inputs ---------------------------------------------------------------------


def test_inspect_names_a_missing_or_unreadable_input(tmp_path):
    assert_one_error(runner.invoke(app, ["inspect", str(tmp_path / "gone.pdf")]), "cannot read", "gone.pdf: No such file")
    assert_one_error(runner.invoke(app, ["inspect", "--jsonl", str(tmp_path / "gone.jsonl")]), "gone.jsonl: No such file")
    assert_one_error(runner.invoke(app, ["inspect", "-"], input=b"\xff\xfe\x00binary"), "stdin: not UTF-8 text (byte 0xff at offset 0)")
    assert_one_error(runner.invoke(app, ["inspect"]), "give a file, - for stdin, or --jsonl FILE")


def test_a_malformed_jsonl_line_names_file_and_line_and_skip_bad_lines_goes_on(tmp_path):
    source = tmp_path / "records.jsonl"
    source.write_bytes(b'{"id": 1, "text": "card 4111 1111 1111 1111"}\n{not json\n{"id": 3}\n\xff\xfe\n'
                       b'{"id": 5, "text": "fine"}\n')  # fmt: skip
    stopped = runner.invoke(app, ["inspect", "--jsonl", str(source)])
    assert_one_error(stopped, f"{source}:2: not JSON", "--skip-bad-lines")
    assert [json.loads(line)["id"] for line in stopped.stdout.splitlines()] == [1]
    went_on = runner.invoke(app, ["inspect", "--jsonl", str(source), "--skip-bad-lines"])
    assert went_on.exit_code == 0, went_on.output
    assert [json.loads(line)["id"] for line in went_on.stdout.splitlines()] == [1, 5]
    assert f"warning: {source}:2: skipped: not JSON" in went_on.stderr
    assert f'warning: {source}:3: skipped: expected a JSON object with "id" and a string "text"' in went_on.stderr
    assert f"warning: {source}:4: skipped: not UTF-8 (byte 0xff at column 1)" in went_on.stderr
    assert f"warning: {source}: 3 bad line(s) skipped" in went_on.stderr


def test_an_empty_query_is_a_usage_error(tmp_path):
    assert_one_error(runner.invoke(app, ["query", "  ", "--db", str(tmp_path / "x.duckdb")]), "the query is empty")


# -- what nobody anticipated -----------------------------------------------------------------------


def failing_app() -> typer.Typer:
    """A command that fails the way a bug would, mounted on the real error handling of `dlp`."""
    broken = typer.Typer(cls=DlpGroup)

    @broken.callback()
    def root() -> None:
        pass

    @broken.command()
    def explode(verbose: bool = verbose_option()) -> None:
        raise ValueError("index out of range while reading sk-proj-secretsecretsecret4321")

    return broken


def test_an_unexpected_error_is_one_line_with_a_bug_report_hint_and_the_trace_only_with_verbose():
    quiet = runner.invoke(failing_app(), ["explode"])
    assert quiet.exit_code == 4
    assert quiet.stderr.splitlines() == [
        "error: unexpected ValueError: index out of range while reading sk-...4321; this is a bug in dlp: please "
        "report it with the trace (run again with --verbose) and `dlp --version`"
    ]
    loud = runner.invoke(failing_app(), ["explode", "--verbose"])
    assert loud.exit_code == 4
    assert "Traceback (most recent call last)" in loud.stderr and 'in explode' in loud.stderr
    assert "secretsecretsecret" not in loud.stderr
