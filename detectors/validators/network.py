"""`ip_address`: the value is an IPv4 or IPv6 address (an interface with a prefix length, or an
IPv6 address with a zone id, too) by Python's own `ipaddress` parser."""

from __future__ import annotations

import ipaddress

from detectors.validators.registry import BUILTIN


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
