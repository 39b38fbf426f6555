"""Anonymous clients are throttled per address (``settings.API_ANON_RATE``): past the rate,
429 Too Many Requests with Retry-After; behind the load balancer, per the client's own address."""

import ipaddress

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(settings, real_cache):
    settings.API_ANON_RATE = "3/min"


def test_a_client_past_the_rate_is_told_to_wait(client, demo, three_a_minute):
    url = reverse("api:park-list")
    for _ in range(3):
        assert client.get(url).status_code == 200

    refused = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Too many requests: ask again in")
    # Every endpoint counts: the same client is refused on another, told so in its language.
    in_vietnamese = client.get(reverse("api:agreement-list"), HTTP_ACCEPT_LANGUAGE="vi")
    assert in_vietnamese.status_code == 429
    assert in_vietnamese["Content-Language"] == "vi"


def test_conditional_requests_count_too(client, demo, three_a_minute):
    url = reverse("api:park-list")
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 429


def test_another_client_is_not_held_back(client, demo, three_a_minute):
    url = reverse("api:park-list")
    for _ in range(4):
        client.get(url, REMOTE_ADDR="203.0.113.5")

    assert client.get(url, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_behind_the_load_balancer_each_client_is_counted_at_its_own_address(
    client, demo, three_a_minute, settings
):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    url = reverse("api:park-list")

    def via_proxy(address):
        return client.get(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=address)

    for _ in range(3):
        assert via_proxy("203.0.113.5").status_code == 200
    assert via_proxy("203.0.113.5").status_code == 429
    assert via_proxy("198.51.100.7").status_code == 200
