"""The address a request came from, as throttling counts it: the connection's own, unless it
is a trusted load balancer; then the right-most address of X-Forwarded-For no proxy of ours
wrote."""

from ipaddress import ip_network

import pytest
from django.test import RequestFactory

from symbiosis.client_ip import client_ip

BALANCER = "10.0.0.2"


@pytest.fixture(autouse=True)
def _balancers(settings):
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/8"), ip_network("2001:db8:10::/48")]


def seen(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


def test_a_client_reaching_the_app_directly_is_counted_at_its_own_address():
    assert seen("203.0.113.66", "192.0.2.1") == "203.0.113.66"


def test_behind_the_load_balancer_it_is_the_address_the_balancer_saw():
    assert seen(BALANCER, "198.51.100.7") == "198.51.100.7"
    # The client's own say is on the left: ignored.
    assert seen(BALANCER, "192.0.2.1, 192.0.2.2, 198.51.100.7") == "198.51.100.7"


def test_behind_two_proxies_of_ours_it_is_the_address_the_outer_one_saw():
    assert seen(BALANCER, "192.0.2.1, 198.51.100.7, 10.1.2.3") == "198.51.100.7"


def test_a_balancer_that_forwards_nothing_is_counted_at_its_own_address():
    assert seen(BALANCER) == BALANCER
    assert seen(BALANCER, "") == BALANCER


def test_what_is_not_an_address_is_never_returned():
    assert seen(BALANCER, "198.51.100.7, not-an-address") == BALANCER
    assert seen("unix-socket") is None


@pytest.mark.parametrize(
    ("forwarded", "address"),
    [
        ("198.51.100.7:4711", "198.51.100.7"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("2001:db8::7", "2001:db8::7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_ports_and_ipv6_are_read(forwarded, address):
    assert seen(BALANCER, forwarded) == address


def test_a_balancer_on_ipv6_or_mapped_into_it_is_trusted_too():
    assert seen("2001:db8:10::2", "198.51.100.7") == "198.51.100.7"
    assert seen("::ffff:10.0.0.2", "198.51.100.7") == "198.51.100.7"


def test_no_trusted_proxy_means_the_header_is_never_read(settings):
    settings.TRUSTED_PROXIES = []

    assert seen(BALANCER, "198.51.100.7") == BALANCER
