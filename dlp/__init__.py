"""DLP engine for ChatGPT Enterprise: ingest -> extract -> detect -> store."""

__version__ = "0.1.0"
