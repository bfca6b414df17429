"""Network names: `ip_address`, an IPv4 or IPv6 address (an interface with a prefix length, or an IPv6
address with a zone id, too) by Python's own `ipaddress` parser; `web_host`, the host of a URL written
without a scheme ends in a real top-level domain."""

from __future__ import annotations

import ipaddress
from typing import Any, Mapping

from detectors.validators.registry import BUILTIN, Check, require_no_extra_args
from detectors.validators.tlds import TOP_LEVEL_DOMAINS


def ip_address_valid(value: str) -> bool:
    """An address `ipaddress.ip_interface` reads: `10.0.0.1`, `10.0.0.0/8`, `fe80::1%eth0`, `::ffff:192.0.2.1`,
    `2001:db8::/32`. A zone id is kept only on an IPv6 address (IPv4 has none)."""
    address, _, prefix = value.partition("/")
    if "%" in address and ":" not in address:
        return False
    try:
        ipaddress.ip_interface(f"{address}/{prefix}" if prefix else address)
    except ValueError:
        return False
    return True


BUILTIN.register_check("ip_address", ip_address_valid, boost=0.1,
                       description="IPv4 or IPv6 address, prefix length and zone id allowed (ipaddress)", memo=True)



# Top-level domains that are also file extensions or code attribute names: a bare "setup.py", "README.md",
# "archive.zip" or "user.id" is not a web address, though .py, .md, .zip and .id are real domains
FILE_EXTENSION_TLDS = frozenset({"py", "sh", "md", "rs", "pl", "pm", "zip", "mov", "tf", "ps", "ml", "mk"})
CODE_LIKE_TLDS = FILE_EXTENSION_TLDS | frozenset({
    "cc", "so", "sc", "st", "ms", "mp", "tm", "lt", "gt", "ls", "cd", "id", "is", "it", "in", "as", "at", "to",
    "me", "my", "no", "do", "be", "by", "am", "an", "or", "on", "ai", "app", "name", "host", "email", "info",
    "data", "link", "page", "run", "top", "new", "now", "one", "map", "art", "dev", "bar", "fit", "win", "ink",
    "tab", "read", "call", "next", "save", "show", "play", "open", "zone", "list", "family", "style", "date",
})


def web_host_valid(value: str, alone: bool = False) -> bool:
    """A URL written without a scheme: its host ends in a real top-level domain that is not a file
    extension. `alone` (no path, no www): nor a code attribute's name ("user.id", "df.info")."""
    host = value.split("/", 1)[0].split(":", 1)[0].lower()
    labels = host.split(".")
    tld = labels[-1]
    if len(labels) < 2 or tld not in TOP_LEVEL_DOMAINS:
        return False
    if host.startswith("www.") or not alone:
        return tld not in FILE_EXTENSION_TLDS
    return tld not in CODE_LIKE_TLDS


@BUILTIN.register("web_host", boost=0.0, description="a URL without a scheme ends in a real top-level domain; arg: alone")
def _web_host(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, {"alone"}, "web_host")
    alone = bool(args.get("alone", False))
    return lambda value: web_host_valid(value, alone)
