"""Load balancers ask /healthz whether this app process can serve."""

from unittest import mock

import pytest
from django.db.utils import OperationalError


@pytest.mark.django_db
def test_health_answers_ok_while_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_answers_503_when_the_database_is_down(client):
    with mock.patch("symbiosis.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_health_takes_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/healthz")


@pytest.mark.django_db
def test_health_answers_over_plain_http_while_pages_redirect_to_https(client, settings):
    """The load balancer asks over plain HTTP, without X-Forwarded-Proto: a redirect to HTTPS
    would read as a process that cannot serve."""
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
