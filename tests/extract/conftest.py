"""Fixtures of the extraction tests."""

from __future__ import annotations

import pytest

from .builders import FakeClock


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()
