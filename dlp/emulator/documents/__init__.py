"""Synthetic files: a format-neutral content model, built from a seed, rendered by the real libraries."""

from dlp.emulator.documents.content import FileContent, PlantLocation, build_content
from dlp.emulator.documents.render import MIME_TYPES, render

__all__ = ["FileContent", "PlantLocation", "build_content", "render", "MIME_TYPES"]
