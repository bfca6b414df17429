"""`dlp rules ...` sub-commands."""

import typer

app = typer.Typer(help="rules commands", no_args_is_help=True)
