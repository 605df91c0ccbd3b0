"""Which addresses the server may connect to on a client's say-so (chalicelib.oauth.public_address; issue 13 item
5): public unicast only, however the address is spelled or wrapped."""
from __future__ import annotations

import ipaddress

import pytest

from chalicelib.oauth.public_address import host_problem, is_public_address, literal_address

NOT_PUBLIC = [
    "127.0.0.1", "127.255.255.254", "0.0.0.0", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
    "169.254.169.254", "169.254.170.2", "100.64.0.1", "100.100.100.200", "192.0.2.1", "198.18.0.1",
    "198.51.100.1", "203.0.113.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "::", "::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "fd00:ec2::254", "fc00::1",
    "fe80::1", "ff02::1", "2001:db8::1", "2001::1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1",
    "2002:7f00:1::1", "2002:a9fe:a9fe::1", "100::1",
]
PUBLIC = ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "2a00:1450:4001:80b::200e",
          "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_non_public_addresses_are_refused(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("spelled, address", [
    ("127.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f.0.0.1", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"), ("[::1]", "::1"), ("::ffff:7f00:1", "::ffff:127.0.0.1"),
    ("0xa9fea9fe", "169.254.169.254"),
])
def test_every_spelling_the_resolver_accepts_is_read_as_the_address(spelled, address):
    assert literal_address(spelled) == ipaddress.ip_address(address)


@pytest.mark.parametrize("name", ["app.example", "localhost", "intranet", "127.0.0.1.nip.io", "", "a..b"])
def test_names_are_not_addresses(name):
    assert literal_address(name) is None


@pytest.mark.parametrize("host", ["app.example", "keys.app.example.", "93.184.215.14", "2606:4700::1111",
                                  "127.0.0.1.nip.io"])
def test_hosts_that_may_be_public(host):
    assert host_problem(host) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "::1", "169.254.169.254", "localhost", "LOCALHOST.",
                                  "x.localhost", "printer.local", "metadata.google.internal", "ip6-localhost",
                                  "intranet", "router.home.arpa"])
def test_hosts_that_never_are(host):
    assert host_problem(host) is not None
