"""Which hosts and addresses the server may connect to on a client's say-so: a ``jwks_uri`` (RFC 7591 2, RFC 7523
3) is chosen by whoever registers the client, and fetched by an unauthenticated token request, so it must not
reach anything but the public internet (OWASP Server-Side Request Forgery Prevention Cheat Sheet).

Only public unicast addresses are allowed: never loopback, private (RFC 1918, RFC 4193), link-local (the instance
metadata service at 169.254.169.254 and fd00:ec2::254), shared (RFC 6598, where some clouds put their metadata
service), documentation, benchmarking, reserved, multicast or unspecified ones, nor an IPv6 address that carries
such an IPv4 address (IPv4-mapped, IPv4-compatible, 6to4, NAT64). The check that counts is the one made on the
address actually connected to (``oauth/jwks_fetch.py``); ``host_problem`` refuses at registration what can be seen
from the name alone.
"""
from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Names that only an internal resolver answers (single-label names resolve through search domains).
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")
_INTERNAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def is_public_address(address: IPAddress) -> bool:
    """True when ``address`` is a public unicast address of the internet."""
    if isinstance(address, ipaddress.IPv4Address):
        return address.is_global and not address.is_multicast
    if address.ipv4_mapped is not None:
        return is_public_address(address.ipv4_mapped)
    if address in _NAT64:
        # A NAT64 gateway (AWS's NAT gateway is one) forwards these to the IPv4 address in the last 32 bits.
        return is_public_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        return is_public_address(address.sixtofour)
    return address in _GLOBAL_UNICAST_V6 and address.is_global and not address.is_multicast


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form the system resolver accepts without a lookup (``127.1``,
    ``2130706433``, ``0x7f.0.0.1``, ``[::1]``...), or None for a name."""
    host = host.strip("[]")
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    # A scope id ("fe80::1%eth0") is not part of the address.
    return ipaddress.ip_address(str(found[0][4][0]).split("%", 1)[0])


def host_problem(host: str) -> str | None:
    """Why a URI naming ``host`` can never be fetched, or None (a name's addresses are checked when it is fetched:
    they can change at any time)."""
    address = literal_address(host)
    if address is not None:
        return None if is_public_address(address) else "must not name a loopback, private, link-local or " \
                                                          "otherwise non-public address."
    name = host.lower().rstrip(".")
    if name in _INTERNAL_NAMES or name.endswith(_INTERNAL_SUFFIXES) or "." not in name:
        return "must name a public host (not localhost, a single-label or an internal name)."
    return None
