"""Built-in YAML rule packs, shipped as package data."""

from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent
