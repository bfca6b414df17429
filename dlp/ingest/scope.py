"""Scope filters: which users' and GPTs' content is fetched at all.

Applied before any content request; out-of-scope objects are counted, never
downloaded.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dlp.config import ConfigError, GptScope, ScopeConfig, UserScope


def _load_email_file(path: str) -> frozenset[str]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"scope.users.include_file: cannot read {path}: {exc.strerror}") from exc
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.lstrip().startswith("#"))


@dataclass
class Scope:
    users: UserScope
    gpts: GptScope
    skipped: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._user_include = frozenset(v.lower() for v in self.users.include)
        if self.users.include_file:
            self._user_include |= _load_email_file(self.users.include_file)
        self._user_exclude = frozenset(v.lower() for v in self.users.exclude)
        self._email_regex = re.compile(self.users.email_regex, re.I) if self.users.email_regex else None
        self._gpt_include = frozenset(v.lower() for v in self.gpts.include)
        self._gpt_exclude = frozenset(v.lower() for v in self.gpts.exclude)
        self._name_regex = re.compile(self.gpts.name_regex, re.I) if self.gpts.name_regex else None

    @classmethod
    def from_config(cls, config: ScopeConfig) -> "Scope":
        return cls(config.users, config.gpts)

    @property
    def filters_users(self) -> bool:
        return bool(self._user_include or self._user_exclude or self._email_regex)

    def user_in_scope(self, user_id: str | None, email: str | None) -> bool:
        keys = {k.lower() for k in (user_id, email) if k}
        if self._user_include and not keys & self._user_include:
            return False
        if keys & self._user_exclude:
            return False
        if self._email_regex is not None and not (email and self._email_regex.search(email)):
            return False
        return True

    def gpt_in_scope(self, gpt_id: str | None, name: str | None) -> bool:
        if gpt_id is None:  # not a GPT conversation: GPT filters do not apply
            return True
        keys = {k.lower() for k in (gpt_id, name) if k}
        if self._gpt_include and not keys & self._gpt_include:
            return False
        if keys & self._gpt_exclude:
            return False
        if self._name_regex is not None and not (name and self._name_regex.search(name)):
            return False
        return True

    def count_skip(self, what: str) -> None:
        self.skipped[what] += 1
