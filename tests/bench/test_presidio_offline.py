"""Presidio as the harness runs it: the local spaCy model, and not one network connection attempted."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

pytest.importorskip("presidio_analyzer", reason="Presidio is in the dev extra")

from bench.presidio_offline import PresidioAnalyzer, PresidioSettings, truth_entity

TEXT = (
    "Mail maria.garcia@northwind-traders.co.uk or see https://intranet.example.org/people; "
    "Maria Garcia's card is 4111 1111 1111 1111."
)


def _is_loopback(host: Any) -> bool:
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to resolve or reach a non-loopback host is recorded and refused."""
    seen: list[str] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if self.family == socket.AF_UNIX or _is_loopback(host):
            return real_connect(self, address)
        seen.append(f"connect {host}")
        raise OSError("network access attempted in an offline benchmark")

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is None or _is_loopback(host):
            return real_getaddrinfo(host, *args, **kwargs)
        seen.append(f"resolve {host}")
        raise OSError("name resolution attempted in an offline benchmark")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return seen


def test_the_guard_sees_a_connection_attempt(attempts: list[str]) -> None:
    with pytest.raises(OSError):
        socket.create_connection(("publicsuffix.org", 443), timeout=1)
    assert attempts == ["resolve publicsuffix.org"]


def test_tldextract_left_alone_would_fetch_the_public_suffix_list(attempts: list[str], tmp_path: Any) -> None:
    """Why the swap is needed: with an empty cache, tldextract's defaults go to the network first."""
    import tldextract

    extractor = tldextract.TLDExtract(cache_dir=str(tmp_path))
    assert extractor("maria@northwind-traders.co.uk").suffix == "co.uk"  # the snapshot, after the fetch failed
    assert "resolve publicsuffix.org" in attempts


def test_presidio_analyzes_without_any_network_access(attempts: list[str]) -> None:
    import tldextract.tldextract as tld_module

    before = tld_module.TLD_EXTRACTOR
    with PresidioAnalyzer(PresidioSettings()) as presidio:
        found = {(span.entity, TEXT[span.start : span.end]) for span in presidio.analyze(TEXT)}
        assert tld_module.TLD_EXTRACTOR is not before
        supported = presidio.supported_entities()
    assert attempts == []
    assert tld_module.TLD_EXTRACTOR is before, "the library's own extractor is put back"
    assert ("EMAIL_ADDRESS", "maria.garcia@northwind-traders.co.uk") in found
    assert ("CREDIT_CARD", "4111 1111 1111 1111") in found
    assert any(entity == "PERSON" for entity, _ in found)
    assert {"EMAIL_ADDRESS", "PERSON", "CREDIT_CARD"} <= supported


def test_presidio_without_ner_drops_the_spacy_recognizer(attempts: list[str]) -> None:
    with PresidioAnalyzer(PresidioSettings(ner=False)) as presidio:
        entities = {span.entity for span in presidio.analyze(TEXT)}
        assert "PERSON" not in presidio.supported_entities()
    assert "PERSON" not in entities and "EMAIL_ADDRESS" in entities
    assert attempts == []


def test_entity_names_map_to_the_ground_truth() -> None:
    assert truth_entity("EMAIL") == "EMAIL_ADDRESS"
    assert truth_entity("US_SSN") == "US_SSN"
