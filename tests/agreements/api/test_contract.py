"""The API keeps its contract: schemathesis generates requests from the OpenAPI schema served at
/api/schema/ and sends them to the app in this process (its WSGI application), and no answer is
a server error or contradicts the schema (status codes, content types, bodies, headers).

Bounded, as CI runs it: a few hundred requests in all (``EXAMPLES`` for each of the ten
operations), well under two minutes on SQLite and PostgreSQL. The registry holds the demo's
verified agreement and Deep C's network, so that lists and details answer with data; throttling
is out of the way (a rate no run reaches)."""

import json

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from symbiosis.wsgi import application

EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def served_schema():
    """The schema /api/schema/ serves (``test_the_schema_tested_is_the_one_served``), generated
    as that view generates it: loaded while tests are collected, before any request could be."""
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(json.loads(json.dumps(served_schema(), default=str)))
schema.app = application  # requests go to the app in this process, as from_wsgi would send them


@pytest.fixture
def registry(deep_c_network, settings):
    # schemathesis' WSGI client asks for host "localhost".
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.API_ANON_RATE = "1000000/min"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The application closes the database connection after each request, and with it the
    # test's transaction (on PostgreSQL): as Django's test client does, keep it open.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_the_schema_tested_is_the_one_served(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert json.loads(response.content) == json.loads(json.dumps(served_schema(), default=str))


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_keeps_the_schema(case, registry):
    case.call_and_validate(checks=CHECKS)


def test_the_schema_is_valid_openapi_and_generated_without_warnings(tmp_path):
    """Every field typed and every name unique: drf-spectacular warns of anything it has to guess,
    and a warning fails this."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "schema.yml")

    assert "/api/v1/agreements/{reference}/" in (tmp_path / "schema.yml").read_text()
