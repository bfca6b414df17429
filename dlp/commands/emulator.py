"""`dlp emulator ...` sub-commands: serve a local Compliance API, or write a generated workspace to disk."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import typer

app = typer.Typer(help="Serve or generate a local emulated Compliance API workspace.", no_args_is_help=True,
                  rich_markup_mode=None)

_FAULT_HELP = "Fault knob (probability 0-1, default off)."


def _settings(config: Optional[Path], seed: Optional[int], scale: Optional[str], overrides: dict[str, Any],
              fault_overrides: dict[str, Any], scale_overrides: dict[str, Any]):
    from dlp.emulator.settings import (
        EmulatorSettings,
        GeneratorConfig,
        SettingsError,
        load_settings,
    )

    try:
        settings = load_settings(config) if config else EmulatorSettings()
        if scale:
            settings = settings.replace(scale=GeneratorConfig.preset(scale))
        if seed is not None:
            settings = settings.replace(seed=seed)
        chosen = {k: v for k, v in scale_overrides.items() if v is not None}
        if chosen:
            settings = settings.replace(scale=dataclasses.replace(settings.scale, **chosen))
        chosen = {k: v for k, v in fault_overrides.items() if v is not None}
        if chosen:
            settings = settings.replace(faults=dataclasses.replace(settings.faults, **chosen))
        chosen = {k: v for k, v in overrides.items() if v is not None}
        return settings.replace(**chosen) if chosen else settings
    except (SettingsError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8080, help="Port (0 picks a free one)."),
    seed: Optional[int] = typer.Option(None, help="Seed of the generated workspace (default 7)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML settings file (see README)."),
    scale: Optional[str] = typer.Option(None, help="Scale preset: demo, medium or large."),
    users: Optional[int] = typer.Option(None, help="Number of users."),
    conversations: Optional[int] = typer.Option(None, help="Number of conversations."),
    days: Optional[int] = typer.Option(None, help="Activity spreads over the last N days."),
    attachments: Optional[int] = typer.Option(None, help="Number of chat uploads."),
    rate_limits: Optional[bool] = typer.Option(None, "--rate-limits/--no-rate-limits",
                                               help="Enforce 100/min per route (50/min on lists) with 429 "
                                                    "(on by default)."),
    conversations_endpoint: Optional[str] = typer.Option(None, help="The deprecated /conversations listing: "
                                                                    "absent (404, default), gone (410) or live."),
    log_roll_seconds: Optional[int] = typer.Option(None, help="Log files are rolled every N seconds."),
    short_page_rate: Optional[float] = typer.Option(None, help=_FAULT_HELP),
    server_error_rate: Optional[float] = typer.Option(None, help=_FAULT_HELP),
    slow_rate: Optional[float] = typer.Option(None, help=_FAULT_HELP),
    slow_seconds: Optional[float] = typer.Option(None, help="Delay of a slow response, in seconds."),
    truncated_body_rate: Optional[float] = typer.Option(None, help=_FAULT_HELP),
    sha_mismatch_rate: Optional[float] = typer.Option(None, help=_FAULT_HELP),
    duplicate_event_rate: Optional[float] = typer.Option(None, help=_FAULT_HELP),
    late_delivery_max_minutes: Optional[float] = typer.Option(None, help="Events land in log files up to N "
                                                                         "minutes after their timestamp."),
) -> None:
    """Serve the emulator in the foreground, printing its base URL, workspace id and API key."""
    from dlp.emulator.server import EmulatorServer

    settings = _settings(
        config, seed, scale,
        {"rate_limits_enabled": rate_limits, "conversations_endpoint": conversations_endpoint,
         "log_roll_seconds": log_roll_seconds},
        {"short_page_rate": short_page_rate, "server_error_rate": server_error_rate, "slow_rate": slow_rate,
         "slow_seconds": slow_seconds, "truncated_body_rate": truncated_body_rate,
         "sha_mismatch_rate": sha_mismatch_rate, "duplicate_event_rate": duplicate_event_rate,
         "late_delivery_max_minutes": late_delivery_max_minutes},
        {"users": users, "conversations": conversations, "days": days, "attachments": attachments},
    )
    server = EmulatorServer(settings, host=host, port=port)
    server.bind()
    typer.echo(f"base_url: {server.base_url}")
    typer.echo(f"workspace_id: {server.workspace_id}")
    typer.echo(f"organization_id: {server.organization_id}")
    typer.echo(f"api_key: {server.api_key}  (a local, non-secret emulator key)")
    typer.echo("Press Ctrl+C to stop.", err=True)
    server.serve_forever()


@app.command()
def generate(
    out: Path = typer.Option(..., "--out", "-o", help="Directory to write the workspace into."),
    seed: Optional[int] = typer.Option(None, help="Seed of the generated workspace (default 7)."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML settings file."),
    scale: Optional[str] = typer.Option(None, help="Scale preset: demo, medium or large."),
    conversations: Optional[int] = typer.Option(None, help="Number of conversations."),
    now: Optional[str] = typer.Option(None, help="The 'now' activity is placed before (ISO-8601; default: "
                                                 "the current time)."),
) -> None:
    """Write the generated workspace (objects, file bytes, log files) and its ground-truth JSONL to a directory."""
    from dlp.emulator.clock import FakeClock
    from dlp.emulator.export import export_workspace

    settings = _settings(config, seed, scale, {}, {}, {"conversations": conversations})
    anchor = datetime.now(timezone.utc)
    if now:
        try:
            anchor = datetime.fromisoformat(now.replace("Z", "+00:00"))
        except ValueError:
            typer.echo(f"error: --now {now!r} is not an ISO-8601 time", err=True)
            raise typer.Exit(2) from None
        if anchor.tzinfo is None:
            anchor = anchor.replace(tzinfo=timezone.utc)
    summary = export_workspace(settings, FakeClock(anchor), out)
    typer.echo(json.dumps(summary, indent=2))
